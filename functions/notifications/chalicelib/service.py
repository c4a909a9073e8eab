"""Telling people: from an event to the inbox, the sockets and the outside channels.

For every notice an event causes, the dispatcher words it in the person's language, stores it in
their inbox (unless it is a one-time code), pushes it to their open sockets, and sends it on each
channel their preferences allow, recording every outcome in the delivery log. It is written
against small interfaces (below) so the rules are tested without any I/O; `bootstrap` wires the
DynamoDB, SNS, SES and WebSocket implementations.

The outcomes that need no send (a notification popped up or kept, a channel skipped), the contact
facts and the participants an event teaches are kept until the event is handled, then written
together (`EventWrites.commit`), with the record marking the event applied when nothing is left
to retry; they are written even when handling fails halfway, so nothing reached is forgotten.

Handling the same event twice sends nothing twice: the inbox is keyed on the notice id (and pops
up on sockets only when first stored), and an outside channel is only tried while its delivery
log entry is not finished. Someone coming into a consultation's call is announced to the other
participant at most once in a few minutes (`chalicelib.calls`), whatever their reconnections.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.calls import (
    Announced,
    Arrival,
    ConsultationUnknown,
    Participants,
    announcement,
)
from chalicelib.contacts import Contact, ContactFacts
from chalicelib.delivery import (
    DeliveryIncomplete,
    PermanentFailure,
    Status,
    TransientFailure,
    Unreachable,
    status_after_failure,
)
from chalicelib.inbox import InboxItem
from chalicelib.notices import Message, Notice
from chalicelib.preferences import DEFAULT_LANGUAGE, Channel, Preferences
from chalicelib.texts import render
from chalicelib.triggers import arrival_notice, react
from keneya.events import Event
from keneya.logs import logger

OUTSIDE_CHANNELS: tuple[Channel, ...] = ("push", "sms", "email")
# Tries at recording an announced arrival while the same person's other arrivals race it.
ANNOUNCE_ATTEMPTS = 3


class ConsultationBusy(Exception):
    """Arrivals of the same person kept racing: handling the event later settles it."""


@dataclass(frozen=True)
class Target:
    """Where a notice goes: the person and their addresses."""

    user_id: str | None
    phone: str | None
    email: str | None


def _phone(notice: Notice, contact: Contact | None) -> str | None:
    """Where an SMS may go. Only a verified number gets everyday messages, so that a number
    typed in by mistake (or someone else's) is not sent a stranger's appointments; security
    messages go to the account's number, verified or not, as they protect it."""
    if contact is None or not contact.phone:
        return None
    if contact.phone_verified or notice.category == "security":
        return contact.phone
    return None


class People(Protocol):
    def person(self, user_id: str) -> tuple[Contact | None, Preferences]:
        """How to reach the person (None if the service has not learned it) and their choices."""
        ...

    def get(self, user_id: str) -> Contact | None: ...

    def learn(self, facts: ContactFacts) -> None: ...


class Inbox(Protocol):
    def add(self, item: InboxItem) -> tuple[bool, int]:
        """Store `item` unless it is there already: whether it was new, and the person's
        unread count after."""
        ...


class DeliveryLog(Protocol):
    def claim(self, notification_id: str, channel: Channel, user_id: str | None) -> int | None:
        """The attempt about to be made (1, 2, ...), or None when the channel is finished."""
        ...

    def record(
        self,
        notification_id: str,
        channel: Channel,
        status: Status,
        *,
        reason: str | None = None,
        reference: str | None = None,
    ) -> None:
        """The outcome of the attempt just claimed."""
        ...

    def settle(
        self,
        notification_id: str,
        channel: Channel,
        user_id: str | None,
        status: Status,
        reason: str | None = None,
    ) -> None:
        """A final outcome reached without an attempt (not used, stored), unless the channel
        is finished already. May be written only when the event's handling ends
        (`EventWrites.commit`): no send depends on it."""
        ...


class Consultations(Protocol):
    def learn(self, participants: Participants) -> None: ...

    def get(self, consultation_id: str) -> Participants | None:
        """The consultation's participants and their announced arrivals; None if unknown."""
        ...

    def record_announced(
        self, participants: Participants, user_id: str, announced: Announced
    ) -> bool:
        """Record the arrival announced, unless another was recorded since `participants`
        was read (then False)."""
        ...


class EventWrites(Protocol):
    def scope(self) -> AbstractContextManager[None]:
        """While one event (or a batch of them) is handled: what the stores keep lives in it."""
        ...

    def commit(self, *, applied: bool) -> None:
        """Write what the stores kept for the end of the event, with the record marking the
        event applied when `applied`."""
        ...


class Sockets(Protocol):
    def push(self, user_id: str, frame: Mapping[str, Any]) -> int:
        """Send `frame` to every live connection of the person; how many it reached."""
        ...


class Sender(Protocol):
    def unreachable(self, target: Target) -> str | None:
        """Why the person cannot be reached on this channel (no phone, no device), or None."""
        ...

    def send(self, target: Target, message: Message, notice: Notice) -> str:
        """Send; the provider's reference. Raises Unreachable / PermanentFailure /
        TransientFailure."""
        ...


class Dispatcher:
    def __init__(
        self,
        *,
        people: People,
        inbox: Inbox,
        deliveries: DeliveryLog,
        sockets: Sockets,
        senders: Mapping[Channel, Sender],
        consultations: Consultations,
        writes: EventWrites,
    ) -> None:
        self.consultations = consultations
        self.writes = writes
        self.people = people
        self.inbox = inbox
        self.deliveries = deliveries
        self.sockets = sockets
        self.senders = senders

    def handle(self, event: Event) -> None:
        """Apply `event`: learn the contact facts it carries, deliver the notices it causes.
        Raises `DeliveryIncomplete` when a channel should be retried later."""
        with self.writes.scope():
            complete = False
            try:
                self._handle(event)
                complete = True
            finally:
                # Even when handling failed: what was reached is written, not the event's end.
                self.writes.commit(applied=complete)

    def _handle(self, event: Event) -> None:
        reaction = react(event)
        for facts in reaction.facts:
            self.people.learn(facts)
        for participants in reaction.consultations:
            self.consultations.learn(participants)
        notices = list(reaction.notices)
        for arrival in reaction.arrivals:
            notices += self._announce(event, arrival)
        pending: list[str] = []
        for notice in notices:
            pending += [f"{notice.id}/{channel}" for channel in self.deliver(notice)]
        if pending:
            raise DeliveryIncomplete(pending)

    def _announce(self, event: Event, arrival: Arrival) -> list[Notice]:
        """The notice telling the other participant that someone came into the call, unless
        it is a reconnection to keep quiet. Raises `ConsultationUnknown` (retry later) when
        the consultation's participants are not known yet."""
        for _ in range(ANNOUNCE_ATTEMPTS):
            known = self.consultations.get(arrival.consultation_id)
            if known is None:
                raise ConsultationUnknown(arrival.consultation_id)
            other = known.other(arrival.user_id, arrival.role)
            if other is None:
                logger.warning(
                    "arrival of someone not in that role ignored",
                    extra={"event_id": event.id, "consultation_id": arrival.consultation_id},
                )
                return []
            previous = known.announced.get(arrival.user_id)
            announced = announcement(previous, arrival, event.id)
            if announced is None:
                logger.info(
                    "arrival kept quiet: announced a moment ago",
                    extra={"event_id": event.id, "consultation_id": arrival.consultation_id},
                )
                return []
            if announced == previous or self.consultations.record_announced(
                known, arrival.user_id, announced
            ):
                return [arrival_notice(event, arrival, *other)]
        raise ConsultationBusy(arrival.consultation_id)

    def deliver(self, notice: Notice) -> list[Channel]:
        """Deliver one notice; the channels to retry later."""
        contact, preferences = (
            self.people.person(notice.user_id) if notice.user_id else (None, Preferences())
        )
        language = (
            preferences.language
            or notice.language
            or (contact.language if contact else None)
            or DEFAULT_LANGUAGE
        )
        message = render(notice, language, self._names(notice, contact))
        target = Target(
            user_id=notice.user_id,
            phone=notice.phone or _phone(notice, contact),
            email=notice.email or (contact.email if contact else None),
        )
        if notice.in_inbox and notice.user_id:
            self._in_app(notice, message, preferences)
        retry: list[Channel] = []
        for channel in OUTSIDE_CHANNELS:
            if channel in notice.channels and not self._send(
                notice, channel, target, message, preferences
            ):
                retry.append(channel)
        return retry

    def _names(self, notice: Notice, contact: Contact | None) -> dict[str, str | None]:
        names: dict[str, str | None] = {"self": contact.full_name if contact else None}
        for role, user_id in notice.mentions.items():
            if notice.known_names.get(role):
                names[role] = notice.known_names[role]
                continue
            mentioned = self.people.get(user_id)
            names[role] = mentioned.full_name if mentioned else None
        return names

    def _in_app(self, notice: Notice, message: Message, preferences: Preferences) -> None:
        """Store in the inbox and pop it up on the person's sockets. The inbox is the record:
        the frame goes out once, when the notification is first stored (a client that missed
        it catches up from the inbox)."""
        assert notice.user_id is not None
        item = InboxItem.of(notice, message)
        created, unread = self.inbox.add(item)
        if not created:
            return
        if preferences.allows(notice.category, "in_app"):
            frame = {"type": "notification", "notification": item.to_json(), "unread": unread}
            reached = self.sockets.push(notice.user_id, frame)
            status: Status = "delivered" if reached else "stored"
            self.deliveries.settle(notice.id, "in_app", notice.user_id, status)
        else:
            # Kept in the inbox, not popped up; the badge still counts it.
            self.sockets.push(notice.user_id, {"type": "unread_count", "unread": unread})
            self.deliveries.settle(notice.id, "in_app", notice.user_id, "stored", "preference")

    def _send(
        self,
        notice: Notice,
        channel: Channel,
        target: Target,
        message: Message,
        preferences: Preferences,
    ) -> bool:
        """Try one channel; False when it should be retried later."""
        sender = self.senders.get(channel)
        if not preferences.allows(notice.category, channel):
            unused: str | None = "preference"
        elif sender is None:
            unused = "channel_not_configured"
        else:
            unused = sender.unreachable(target)
        if unused is not None:
            self.deliveries.settle(notice.id, channel, notice.user_id, "skipped", unused)
            return True
        assert sender is not None
        attempt = self.deliveries.claim(notice.id, channel, notice.user_id)
        if attempt is None:
            return True
        status: Status
        reason = reference = None
        try:
            reference = sender.send(target, message, notice)
            status = "sent"
        except Unreachable as problem:
            status, reason = "skipped", problem.reason
        except PermanentFailure as problem:
            status, reason = "failed", problem.reason
        except TransientFailure as problem:
            status, reason = status_after_failure(attempt, transient=True), problem.reason
        self.deliveries.record(notice.id, channel, status, reason=reason, reference=reference)
        # Ids and outcomes only: never the words, an address or a code.
        logger.info(
            "notification channel done",
            extra={
                "notification_id": notice.id,
                "kind": notice.kind,
                "channel": channel,
                "status": status,
                "reason": reason,
                "attempt": attempt,
            },
        )
        return status != "retrying"
