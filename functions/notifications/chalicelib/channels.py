"""The outside channels: SMS through SNS, e-mail through SES, push through SNS mobile push.

Each is an adapter with one method, `send(target, message, notice) -> reference`, that turns the
provider's answer into the delivery rules' terms (`Unreachable`, `PermanentFailure`,
`TransientFailure`). SMS sits behind `SmsGateway` so a local aggregator's API (Orange, Malitel
SMS gateways) can replace SNS without touching anything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from chalicelib.delivery import DeliveryProblem, PermanentFailure, TransientFailure, Unreachable
from chalicelib.devices import Devices
from chalicelib.notices import Message, Notice
from chalicelib.service import Target

# Error codes that mean "not now" rather than "never".
_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalError",
        "InternalFailure",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "KMSThrottlingException",
        "KMSInternalException",
    }
)


def classify(error: Exception) -> DeliveryProblem:
    """A provider error as a delivery failure; re-raises what is not a provider error."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _TRANSIENT_CODES or status >= 500 or status == 429:
            return TransientFailure(code or f"http_{status}")
        return PermanentFailure(code or f"http_{status}")
    if isinstance(error, BotoCoreError):  # the network, a timeout: try again later
        return TransientFailure(type(error).__name__)
    raise error


class SmsGateway(Protocol):
    def send_sms(self, phone: str, text: str) -> str:
        """Send one SMS; the provider's message id. Raises provider errors."""
        ...


class SnsSmsGateway:
    """Transactional SMS through Amazon SNS."""

    def __init__(self, sns: Any, sender_id: str | None = None) -> None:
        self.sns = sns
        self.sender_id = sender_id

    def send_sms(self, phone: str, text: str) -> str:
        attributes = {
            # Transactional: delivered first and at any hour (codes, reminders).
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self.sender_id,
            }
        response = self.sns.publish(PhoneNumber=phone, Message=text, MessageAttributes=attributes)
        return str(response["MessageId"])


class SmsChannel:
    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def unreachable(self, target: Target) -> str | None:
        return None if target.phone else "no_verified_phone"

    def send(self, target: Target, message: Message, notice: Notice) -> str:
        if not target.phone:
            raise Unreachable("no_verified_phone")
        try:
            return self.gateway.send_sms(target.phone, message.sms)
        except Exception as error:
            raise classify(error) from None


class EmailChannel:
    """Plain-text e-mail through SES (read on any phone's mail app, no images to download)."""

    def __init__(self, ses: Any, sender: str, before_first_send: Callable[[], None]) -> None:
        self.ses = ses
        self.sender = sender
        self._before_first_send: Callable[[], None] | None = before_first_send

    def unreachable(self, target: Target) -> str | None:
        return None if target.email else "no_email"

    def send(self, target: Target, message: Message, notice: Notice) -> str:
        if not target.email:
            raise Unreachable("no_email")
        try:
            if self._before_first_send is not None:
                self._before_first_send()
                self._before_first_send = None
            response = self.ses.send_email(
                Source=self.sender,
                Destination={"ToAddresses": [target.email]},
                Message={
                    "Subject": {"Data": message.title, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": message.email_body, "Charset": "UTF-8"}},
                },
            )
        except Exception as error:
            raise classify(error) from None
        return str(response["MessageId"])


class PushChannel:
    """A push to every registered device of the person (FCM and APNs through SNS)."""

    def __init__(self, sns: Any, devices: Devices) -> None:
        self.sns = sns
        self.devices = devices

    def unreachable(self, target: Target) -> str | None:
        if not target.user_id or not self.devices.of(target.user_id):
            return "no_device"
        return None

    def send(self, target: Target, message: Message, notice: Notice) -> str:
        if not target.user_id:
            raise Unreachable("no_device")
        devices = self.devices.of(target.user_id)
        if not devices:
            raise Unreachable("no_device")
        payload = push_payload(message, notice)
        sent: list[str] = []
        problems: list[DeliveryProblem] = []
        for device in devices:
            try:
                response = self.sns.publish(
                    TargetArn=device.endpoint_arn, MessageStructure="json", Message=payload
                )
                sent.append(str(response["MessageId"]))
            except Exception as error:
                problem = classify(error)
                if problem.reason in ("EndpointDisabled", "NotFound"):
                    # The app was uninstalled or the token expired: stop pushing to it.
                    self.devices.forget(device)
                problems.append(problem)
        if sent:
            return ",".join(sent)
        transient = [p for p in problems if isinstance(p, TransientFailure)]
        raise transient[0] if transient else problems[0]


def push_payload(message: Message, notice: Notice) -> str:
    """SNS's per-platform message: FCM's and APNs' own shapes, with the ids a client opens."""
    data = {"notification_id": notice.id, "type": notice.kind, **notice.link}
    fcm = {"notification": {"title": message.title, "body": message.body}, "data": data}
    apns = {"aps": {"alert": {"title": message.title, "body": message.body}, "sound": "default"},
            **data}
    return json.dumps(
        {
            "default": message.body,
            "GCM": json.dumps(fcm, ensure_ascii=False),
            "APNS": json.dumps(apns, ensure_ascii=False),
            "APNS_SANDBOX": json.dumps(apns, ensure_ascii=False),
        },
        ensure_ascii=False,
    )
