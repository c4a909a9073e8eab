"""What the notifications service tests use on the whole platform: people signed up through the
auth service, events published on the topic as their producers publish them, a WebSocket client
that collects frames, and the message catcher."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import requests
from websockets.sync.client import ClientConnection, connect

from keneya.events import Event, new_event
from tests.support.auth import Api, new_email, new_phone
from tests.support.people import Person


def sign_up(
    platform: Any,
    *,
    role: str = "patient",
    full_name: str = "Awa Traoré",
    email: bool = False,
    language: str = "fr",
) -> Person:
    """A new account (its own phone, and e-mail if asked), signed in: its access token."""
    api = Api(platform.url("auth"))
    phone = new_phone()
    fields: dict[str, Any] = {
        "role": role,
        "full_name": full_name,
        "phone": phone,
        "language": language,
    }
    if email:
        fields["email"] = new_email()
    account = api.register(**fields)
    tokens = api.login(phone=phone)
    return Person(
        user_id=account["user_id"],
        role=role,
        token=tokens["access_token"],
        phone=phone,
        email=fields.get("email"),
        full_name=full_name,
    )


class Topic:
    """The events topic, published to the way `keneya.relay` does."""

    def __init__(self, platform: Any) -> None:
        environment = platform.deployment.services["notifications"].environment
        self.arn = environment["EVENTS_TOPIC_ARN"]
        self.sns = boto3.client("sns", endpoint_url=platform.aws_endpoint, region_name="us-east-1")

    def publish(self, event_type: str, data: dict[str, Any], source: str) -> Event:
        event = new_event(event_type, data, source=source)
        self.republish(event)
        return event

    def republish(self, event: Event) -> None:
        """Publish an envelope again, as an at-least-once relay may."""
        self.sns.publish(
            TopicArn=self.arn,
            Message=event.to_json(),
            MessageAttributes={
                "type": {"DataType": "String", "StringValue": event.type},
                "source": {"DataType": "String", "StringValue": event.source},
            },
        )


class Socket:
    """A client of the notifications WebSocket API that keeps every frame it received."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []

    def send(self, frame: dict[str, Any]) -> None:
        self.connection.send(json.dumps(frame))

    def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        """The first frame (received so far or later) for which `match` is true."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for frame in self.frames[seen:]:
                if match(frame):
                    return frame
            seen = len(self.frames)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching frame within {timeout}s; got {self.frames}")
            try:
                self.frames.append(json.loads(self.connection.recv(timeout=min(remaining, 1))))
            except TimeoutError:
                continue

    def quiet_for(self, seconds: float) -> list[dict[str, Any]]:
        """The frames that arrive within `seconds` (to show that nothing does)."""
        deadline = time.monotonic() + seconds
        arrived = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                arrived.append(json.loads(self.connection.recv(timeout=remaining)))
            except TimeoutError:
                break
        self.frames += arrived
        return arrived

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Socket:
        self.connection.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.connection.__exit__(*exc_info)


def open_socket(platform: Any, token: str | None) -> Socket:
    """A connected client; use it as a context manager so it is closed whatever happens."""
    url = platform.websocket_url("notifications")
    if token is not None:
        url += f"?token={token}"
    return Socket(connect(url, open_timeout=10))


def notification_for(kind: str, consultation_id: str | None = None) -> Callable[[dict], bool]:
    def match(frame: dict[str, Any]) -> bool:
        if frame.get("type") != "notification":
            return False
        notification = frame["notification"]
        link = notification["link"]
        return notification["type"] == kind and (
            consultation_id is None or link.get("consultation_id") == consultation_id
        )

    return match


class Inbox:
    """The notifications HTTP API as one person calls it."""

    def __init__(self, platform: Any, person: Person) -> None:
        self.platform = platform
        self.headers = {"Authorization": f"Bearer {person.token}"}

    def call(self, method: str, path: str = "", body: Any = None, **params: Any) -> Any:
        return requests.request(
            method,
            self.platform.url("notifications", path),
            json=body,
            params=params or None,
            headers=self.headers,
            timeout=30,
        )

    def get(self, path: str = "", **params: Any) -> Any:
        return self.call("GET", path, **params)

    def items(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("", **params)
        assert response.status_code == 200, response.text
        return response.json()["items"]


def sent_messages(platform: Any) -> list[dict[str, Any]]:
    response = requests.get(f"{platform.http_url}/_local/messages.json", timeout=30)
    response.raise_for_status()
    return response.json()["messages"]


def messages_to(platform: Any, address: str, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        message
        for message in sent_messages(platform)
        if address in message["to"] and (channel is None or message["channel"] == channel)
    ]
