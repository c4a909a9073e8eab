"""Wires the notifications service's parts once per process (a Lambda sandbox), from its
environment:

    TABLE_NAME                  the service's table
    EVENTS_QUEUE_URL            its events queue (to delay a failed event's next attempt)
    DELIVERY_RETRY_SECONDS      first retry delay of a transient failure (doubles each time)
    EMAIL_SENDER                the address e-mails come from
    SMS_SENDER_ID               the alphanumeric sender of SMS, where the country allows one
    FCM_APPLICATION_ARN         SNS platform application for Android and web push
    APNS_APPLICATION_ARN        SNS platform application for iPhone push
    SELF_PROVISION_MESSAGING    "true" where no CloudFormation creates the SES sender identity
                                and the push applications (the local stage): the service
                                creates them itself, idempotently
    WEBSOCKET_MANAGEMENT_URL    the WebSocket API's management endpoint (keneya.websocket)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import cache
from typing import Any

from chalicelib.batch import Batch
from chalicelib.channels import EmailChannel, PushChannel, SmsChannel, SnsSmsGateway
from chalicelib.connections import ConnectionRegistry
from chalicelib.delivery_store import DeliveryLogStore
from chalicelib.devices import Devices
from chalicelib.inbox_store import InboxStore
from chalicelib.participants_store import ParticipantsStore
from chalicelib.people_store import PeopleStore
from chalicelib.service import Dispatcher
from chalicelib.sockets import SocketFanout
from chalicelib.tables import models
from keneya.aws import client
from keneya.clock import utc_now
from keneya.config import settings

DEFAULT_SENDER = "no-reply@keneya.ml"



@dataclass(frozen=True)
class Parts:
    dispatcher: Dispatcher
    batch: Batch
    inbox: InboxStore
    people: PeopleStore
    deliveries: DeliveryLogStore
    connections: ConnectionRegistry
    sockets: SocketFanout
    devices: Devices


def _self_provision() -> bool:
    return (settings().get("SELF_PROVISION_MESSAGING") or "false").lower() == "true"


def email_sender() -> str:
    address = parseaddr(settings().get("EMAIL_SENDER") or DEFAULT_SENDER)[1] or DEFAULT_SENDER
    return formataddr(("Keneya", address))


def _verify_sender() -> None:
    if _self_provision():
        client("ses").verify_email_identity(EmailAddress=parseaddr(email_sender())[1])


@cache
def push_applications() -> Mapping[str, str]:
    """SNS platform application ARN by push service ("fcm", "apns")."""
    config = settings()
    found = {
        "fcm": config.get("FCM_APPLICATION_ARN") or "",
        "apns": config.get("APNS_APPLICATION_ARN") or "",
    }
    if _self_provision():
        for service, platform in (("fcm", "GCM"), ("apns", "APNS_SANDBOX")):
            if not found[service]:
                found[service] = _local_application(f"keneya-{config.stage}-{service}", platform)
    return {service: arn for service, arn in found.items() if arn}


def _local_application(name: str, platform: str) -> str:
    sns = client("sns")
    for page in sns.get_paginator("list_platform_applications").paginate():
        for application in page.get("PlatformApplications", []):
            if application["PlatformApplicationArn"].endswith(f"/{platform}/{name}"):
                return application["PlatformApplicationArn"]
    created = sns.create_platform_application(
        Name=name,
        Platform=platform,
        Attributes={"PlatformCredential": "local", "PlatformPrincipal": "local"},
    )
    return created["PlatformApplicationArn"]


def _post_to_connection(connection_id: str, text: str) -> None:
    from keneya.websocket import send

    send(connection_id, text)


@cache
def parts() -> Parts:
    bound = models()
    config = settings()
    sns: Any = client("sns")
    dynamodb: Any = client("dynamodb")
    batch = Batch(lambda items: dynamodb.transact_write_items(TransactItems=items))
    people = PeopleStore(bound, utc_now, batch)
    inbox = InboxStore(bound, utc_now, batch, dynamodb.query)
    deliveries = DeliveryLogStore(bound, utc_now, batch)
    connections = ConnectionRegistry(bound, utc_now, batch)
    sockets = SocketFanout(connections, _post_to_connection)
    devices = Devices(bound, sns, push_applications, utc_now, batch)
    dispatcher = Dispatcher(
        people=people,
        inbox=inbox,
        deliveries=deliveries,
        sockets=sockets,
        consultations=ParticipantsStore(bound, batch),
        writes=batch,
        senders={
            "sms": SmsChannel(SnsSmsGateway(sns, config.get("SMS_SENDER_ID"))),
            "email": EmailChannel(client("ses"), email_sender(), _verify_sender),
            "push": PushChannel(sns, devices),
        },
    )
    return Parts(
        dispatcher=dispatcher,
        batch=batch,
        inbox=inbox,
        people=people,
        deliveries=deliveries,
        connections=connections,
        sockets=sockets,
        devices=devices,
    )
