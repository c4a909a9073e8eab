"""In-memory stand-ins for the dispatcher's stores and channels, so its rules run without I/O."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.calls import Announced, Participants
from chalicelib.contacts import Contact, ContactFacts
from chalicelib.delivery import FINISHED, DeliveryProblem
from chalicelib.inbox import InboxItem
from chalicelib.notices import Message, Notice
from chalicelib.preferences import Preferences
from chalicelib.service import Dispatcher, Target
from keneya.events import Event, new_event


def event(event_type: str, data: dict[str, Any], **envelope: Any) -> Event:
    """A valid envelope as the producing service would publish it."""
    return new_event(event_type, data, source=envelope.pop("source", "tests"), **envelope)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class People:
    def __init__(self, *contacts: Contact, preferences: Mapping[str, Preferences]) -> None:
        self.known = {contact.user_id: contact for contact in contacts}
        self.preferences = dict(preferences)

    def person(self, user_id: str) -> tuple[Contact | None, Preferences]:
        return self.known.get(user_id), self.preferences.get(user_id, Preferences())

    def get(self, user_id: str) -> Contact | None:
        return self.known.get(user_id)

    def learn(self, facts: ContactFacts) -> None:
        self.known[facts.user_id] = (
            self.known.get(facts.user_id) or Contact(user_id=facts.user_id)
        ).learn(facts)


class Inbox:
    def __init__(self) -> None:
        self.items: dict[str, InboxItem] = {}

    def add(self, item: InboxItem) -> tuple[bool, int]:
        created = item.id not in self.items
        self.items.setdefault(item.id, item)
        unread = sum(1 for i in self.items.values() if i.user_id == item.user_id and not i.read_at)
        return created, unread

    def of(self, user_id: str) -> list[InboxItem]:
        return [item for item in self.items.values() if item.user_id == user_id]


@dataclass
class Entry:
    status: str = "sending"
    attempts: int = 0
    reason: str | None = None
    reference: str | None = None


class DeliveryLog:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], Entry] = {}

    def claim(self, notification_id: str, channel: str, user_id: str | None) -> int | None:
        entry = self.entries.setdefault((notification_id, channel), Entry())
        if entry.status in FINISHED:
            return None
        entry.status = "sending"
        entry.attempts += 1
        return entry.attempts

    def record(
        self,
        notification_id: str,
        channel: str,
        status: str,
        *,
        reason: str | None = None,
        reference: str | None = None,
    ) -> None:
        entry = self.entries[(notification_id, channel)]
        entry.status, entry.reason = status, reason
        entry.reference = reference or entry.reference

    def settle(
        self,
        notification_id: str,
        channel: str,
        user_id: str | None,
        status: str,
        reason: str | None = None,
    ) -> None:
        entry = self.entries.setdefault((notification_id, channel), Entry())
        if entry.status not in FINISHED:
            entry.status, entry.reason = status, reason

    def status(self, notification_id: str, channel: str) -> str | None:
        entry = self.entries.get((notification_id, channel))
        return entry.status if entry else None


class Sockets:
    def __init__(self, open_for: tuple[str, ...] = ()) -> None:
        self.open_for = set(open_for)
        self.frames: list[tuple[str, Mapping[str, Any]]] = []

    def push(self, user_id: str, frame: Mapping[str, Any]) -> int:
        if user_id not in self.open_for:
            return 0
        self.frames.append((user_id, frame))
        return 1

    def to(self, user_id: str) -> list[Mapping[str, Any]]:
        return [frame for who, frame in self.frames if who == user_id]


class Consultations:
    """Participants by consultation; `record_announced` checks what was read is still there,
    as the table's conditional write does."""

    def __init__(self) -> None:
        self.known: dict[str, Participants] = {}

    def learn(self, participants: Participants) -> None:
        earlier = self.known.get(participants.consultation_id)
        announced = earlier.announced if earlier else {}
        self.known[participants.consultation_id] = replace(participants, announced=announced)

    def get(self, consultation_id: str) -> Participants | None:
        return self.known.get(consultation_id)

    def record_announced(
        self, participants: Participants, user_id: str, announced: Announced
    ) -> bool:
        current = self.known[participants.consultation_id]
        if dict(current.announced) != dict(participants.announced):
            return False
        self.known[participants.consultation_id] = replace(
            current, announced={**current.announced, user_id: announced}
        )
        return True


class Writes:
    """The end of each event's handling: the stores' fakes write at once, so this only records
    each commit (whether the event was marked applied) and the scopes opened."""

    def __init__(self) -> None:
        self.commits: list[bool] = []
        self.open_scopes = 0

    @contextmanager
    def scope(self) -> Iterator[None]:
        self.open_scopes += 1
        try:
            yield
        finally:
            self.open_scopes -= 1

    def commit(self, *, applied: bool) -> None:
        assert self.open_scopes, "committed outside the event's scope"
        self.commits.append(applied)


@dataclass
class Sender:
    """Records what it sends; `failures` are raised in turn before it starts succeeding.
    `address` says where it sends ("phone", "email"; None: any person is reachable)."""

    address: str | None = None
    failures: list[DeliveryProblem] = field(default_factory=list)
    sent: list[tuple[Target, Message, Notice]] = field(default_factory=list)

    def unreachable(self, target: Target) -> str | None:
        if self.address and not getattr(target, self.address):
            return f"no_{self.address}"
        return None

    def send(self, target: Target, message: Message, notice: Notice) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target, message, notice))
        return f"ref-{len(self.sent)}"


@dataclass
class World:
    people: People
    inbox: Inbox
    deliveries: DeliveryLog
    sockets: Sockets
    sms: Sender
    email: Sender
    push: Sender
    consultations: Consultations
    writes: Writes
    dispatcher: Dispatcher


def world(
    *contacts: Contact,
    preferences: Mapping[str, Preferences] | None = None,
    sockets_open_for: tuple[str, ...] = (),
) -> World:
    parts: dict[str, Any] = {
        "people": People(*contacts, preferences=preferences or {}),
        "inbox": Inbox(),
        "deliveries": DeliveryLog(),
        "sockets": Sockets(sockets_open_for),
        "sms": Sender("phone"),
        "email": Sender("email"),
        "push": Sender(),
        "consultations": Consultations(),
        "writes": Writes(),
    }
    dispatcher = Dispatcher(
        people=parts["people"],
        inbox=parts["inbox"],
        deliveries=parts["deliveries"],
        sockets=parts["sockets"],
        consultations=parts["consultations"],
        writes=parts["writes"],
        senders={"sms": parts["sms"], "email": parts["email"], "push": parts["push"]},
    )
    return World(dispatcher=dispatcher, **parts)
