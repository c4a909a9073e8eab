"""Keneya's shared layer: what every service needs and no single domain owns.

Configuration, AWS clients, the event envelope and catalogue, the transactional outbox and its
relay, the SQS consumer, HTTP problems, token verification, logging. Domain code never lives here.
"""

from keneya import aws_requests as _aws_requests

# Before any botocore session exists, so that every client is counted (off unless asked).
_aws_requests.install()
