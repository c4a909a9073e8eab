"""Keneya's shared layer: what every service needs and no single domain owns.

Configuration, AWS clients, the event envelope and catalogue, the transactional outbox and its
relay, the SQS consumer, HTTP problems, token verification, logging. Domain code never lives here.
"""
