"""The consultations service's use cases: what each route, event and schedule asks for, and the
one port they need (`Store`).

Each use case reads what it needs, lets `chalicelib.lifecycle` decide, and has the store write
the change atomically. A write that finds its reads outdated (`Stale`: someone changed the
consultation or the patient's agenda meanwhile) is read again and decided again, a few times.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib import lifecycle
from chalicelib.access import Action, authorize
from chalicelib.agenda import PatientAgenda
from chalicelib.blocks import blocks_of
from chalicelib.clinical import ClinicalSummary
from chalicelib.doctors import Doctor
from chalicelib.errors import (
    Busy,
    ConsultationNotFound,
    DoctorNotBookable,
    DoctorNotFound,
    IdempotencyKeyReused,
    InvalidWindow,
    PatientBusy,
    SlotTaken,
)
from chalicelib.lifecycle import Actor, Change, Consultation, Mode, PaymentNotApplicable, Status
from chalicelib.policy import Policy
from chalicelib.schedule import Slot
from keneya.correlation import new_id
from keneya.events import Event
from keneya.logs import logger

ATTEMPTS = 5
# A sweep handles at most this much due work (the next run, a minute later, goes on).
SWEEP_PAGE, SWEEP_PAGES = 100, 20


# -- the port ---------------------------------------------------------------------------------


class Stale(Exception):
    """Something read for this change was changed by someone else: read again and retry."""


class IdempotencyTaken(Exception):
    """A booking with the same Idempotency-Key committed first."""


@dataclass(frozen=True)
class IdempotencyRecord:
    patient_id: str
    key: str
    fingerprint: str
    consultation_id: str
    first_result: str  # the consultation, as the first request answered it (JSON)


@dataclass(frozen=True)
class DueTimer:
    """A consultation's timer as the store holds it: `due_at` to the second, as it was written,
    and the store's own `key` for it (to drop it)."""

    due_at: datetime
    consultation_id: str
    kind: str
    key: str


@dataclass(frozen=True)
class Page:
    consultations: list[Consultation]
    next_cursor: str | None


class Store(Protocol):
    """Where consultations, the doctors' copies, busy blocks, agendas, timers and
    Idempotency-Key records are kept (`chalicelib.store.TableStore`; a fake in the tests)."""

    def doctor(self, doctor_id: str) -> Doctor | None: ...

    def save_doctor(self, doctor: Doctor) -> None:
        """Write the copy on condition nobody wrote it since it was read (`Stale` otherwise)."""
        ...

    def busy_blocks(self, doctor_id: str, start: datetime, end: datetime) -> set[datetime]:
        """The doctor's blocks held by a consultation within [start, end); may lag a moment."""
        ...

    def consultation(self, consultation_id: str) -> Consultation | None: ...

    def agenda(self, patient_id: str) -> PatientAgenda:
        """The patient's agenda (an empty one, version 0, when they hold nothing yet)."""
        ...

    def idempotency(self, patient_id: str, key: str) -> IdempotencyRecord | None: ...

    def list_for(
        self,
        *,
        role: str,
        user_id: str,
        statuses: Iterable[Status] = (),
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        """One page of a participant's consultations by start time; a cursor that is not one
        of theirs raises `InvalidCursor`."""
        ...

    def upcoming_of_doctor(self, doctor_id: str, after: datetime) -> list[Consultation]:
        """The doctor's consultations awaiting payment or confirmed, starting from `after`."""
        ...

    def due_timers(self, as_of: datetime, limit: int = 200) -> list[DueTimer]:
        """Timers due at `as_of` (to the second), earliest first."""
        ...

    def drop_timer(self, timer: DueTimer) -> None: ...

    def commit(
        self,
        change: Change,
        *,
        now: datetime,
        agenda: PatientAgenda | None = None,
        idempotency: IdempotencyRecord | None = None,
    ) -> Consultation:
        """Write `change` atomically, or nothing: the consultation on condition of the version
        read (`Stale`), the doctor's blocks only if free (`SlotTaken`), the patient's agenda on
        condition of `agenda`'s version (`Stale`), the consultation's next timer, `idempotency`
        only if its key is new (`IdempotencyTaken`) with the stored consultation as its first
        result, and the change's events. When several conditions fail, `Stale` is the answer
        (read again and the rest follows), then `IdempotencyTaken`, then `SlotTaken`. Returns
        the consultation as stored (next version)."""
        ...


# -- the use cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeSlots:
    doctor: Doctor
    slots: list[Slot]


@dataclass(frozen=True)
class Booked:
    consultation: Consultation
    replayed: bool


def fingerprint(**request: Any) -> str:
    """What identifies a booking request, to tell a retry from another use of the same key."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


class ConsultationService:
    def __init__(self, store: Store, policy: Policy, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.policy = policy
        self.now = clock

    # -- slots and booking --------------------------------------------------------------------

    def free_slots(self, doctor_id: str, start: datetime | None, end: datetime | None) -> FreeSlots:
        """The doctor's slots in [start, end) that nobody holds and that can still be booked."""
        now = self.now()
        start = start or now
        end = end or start + self.policy.default_slots_window
        if end <= start:
            raise InvalidWindow("to", "empty")
        if end - start > self.policy.max_slots_window:
            raise InvalidWindow("to", "too_long")
        doctor = self.store.doctor(doctor_id)
        if doctor is None or not doctor.bookable or doctor.schedule is None:
            raise DoctorNotFound()
        earliest = max(start, now + self.policy.min_notice)
        latest = min(end, now + self.policy.horizon)
        if latest <= earliest:
            return FreeSlots(doctor, [])
        candidates = doctor.schedule.slots_between(earliest, latest)
        if not candidates:
            return FreeSlots(doctor, [])
        busy = self.store.busy_blocks(doctor_id, candidates[0].starts_at, candidates[-1].ends_at)
        free = [
            slot
            for slot in candidates
            if not any(block in busy for block in blocks_of(slot.starts_at, slot.ends_at))
        ]
        return FreeSlots(doctor, free)

    def book(
        self,
        *,
        patient_id: str,
        doctor_id: str,
        starts_at: datetime,
        reason: str,
        mode: Mode,
        idempotency_key: str | None = None,
    ) -> Booked:
        """Book a slot for the patient. With an Idempotency-Key, a retry of the same request
        answers the first result; the same key with another request is refused."""
        request_print = fingerprint(
            doctor_id=doctor_id,
            starts_at=starts_at.astimezone(UTC).isoformat(),
            reason=reason,
            mode=mode,
        )
        doctor = self.store.doctor(doctor_id)
        if doctor is None:
            raise DoctorNotBookable(doctor_id)
        for _ in range(ATTEMPTS):
            if idempotency_key:
                earlier = self.store.idempotency(patient_id, idempotency_key)
                if earlier is not None:
                    return self._replay(earlier, request_print)
            now = self.now()
            agenda = self.store.agenda(patient_id)
            change = lifecycle.book(
                consultation_id=new_id(),
                patient_id=patient_id,
                doctor=doctor,
                starts_at=starts_at,
                reason=reason,
                mode=mode,
                agenda=agenda,
                now=now,
                policy=self.policy,
            )
            record = (
                IdempotencyRecord(
                    patient_id, idempotency_key, request_print, change.after.id, first_result=""
                )
                if idempotency_key
                else None
            )
            try:
                stored = self.store.commit(change, now=now, agenda=agenda, idempotency=record)
            except (Stale, IdempotencyTaken):
                continue
            logger.info(
                "consultation booked",
                extra={
                    "consultation_id": stored.id,
                    "doctor_id": doctor_id,
                    "status": stored.status.value,
                },
            )
            return Booked(stored, replayed=False)
        raise Busy()

    def _replay(self, earlier: IdempotencyRecord, request_print: str) -> Booked:
        if earlier.fingerprint != request_print:
            raise IdempotencyKeyReused()
        return Booked(Consultation.model_validate_json(earlier.first_result), replayed=True)

    # -- reading ------------------------------------------------------------------------------

    def get(self, who: Actor, consultation_id: str) -> Consultation:
        consultation = self.store.consultation(consultation_id)
        if consultation is None:
            raise ConsultationNotFound()
        authorize(consultation, who, "read")
        return consultation

    def list_for(
        self,
        who: Actor,
        *,
        statuses: Iterable[Status] = (),
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        if starts_from and starts_before and starts_before <= starts_from:
            raise InvalidWindow("to", "empty")
        return self.store.list_for(
            role=who.role,
            user_id=who.user_id,
            statuses=statuses,
            starts_from=starts_from,
            starts_before=starts_before,
            limit=limit,
            cursor=cursor,
            descending=descending,
        )

    # -- what participants do -----------------------------------------------------------------

    def cancel(self, who: Actor, consultation_id: str, note: str | None) -> Consultation:
        return self._act(
            who,
            consultation_id,
            "cancel",
            lambda c, now: lifecycle.cancel(c, by=who, note=note, now=now, policy=self.policy),
        )

    def start(self, who: Actor, consultation_id: str) -> Consultation:
        return self._act(
            who,
            consultation_id,
            "start",
            lambda c, now: lifecycle.start(c, room_id=new_id(), now=now, policy=self.policy),
        )

    def join(self, who: Actor, consultation_id: str) -> Consultation:
        return self._act(
            who, consultation_id, "join", lambda c, now: lifecycle.join(c, by=who, now=now)
        )

    def complete(self, who: Actor, consultation_id: str, summary: ClinicalSummary) -> Consultation:
        return self._act(
            who,
            consultation_id,
            "complete",
            lambda c, now: lifecycle.complete(c, summary=summary, now=now),
        )

    def mark_no_show(self, who: Actor, consultation_id: str) -> Consultation:
        return self._act(
            who, consultation_id, "no_show", lambda c, now: lifecycle.mark_no_show(c, now=now)
        )

    def _act(
        self,
        who: Actor,
        consultation_id: str,
        action: Action,
        decide: Callable[[Consultation, datetime], Change | None],
    ) -> Consultation:
        for _ in range(ATTEMPTS):
            consultation = self.store.consultation(consultation_id)
            if consultation is None:
                raise ConsultationNotFound()
            authorize(consultation, who, action)
            now = self.now()
            change = decide(consultation, now)
            if change is None:
                return consultation
            try:
                stored = self._commit(change, now)
            except Stale:
                continue
            logger.info(
                "consultation changed",
                extra={
                    "consultation_id": consultation_id,
                    "action": action,
                    "status": stored.status.value,
                    "by_role": who.role,
                },
            )
            return stored
        raise Busy()

    def _commit(self, change: Change, now: datetime) -> Consultation:
        agenda = self.store.agenda(change.after.patient_id) if change.patient_time else None
        if change.patient_time == "hold" and agenda is not None:
            after = change.after
            conflict = agenda.conflict(after.starts_at, after.ends_at, now)
            if conflict is not None and conflict.consultation_id != after.id:
                raise PatientBusy(conflict.consultation_id)
        return self.store.commit(change, now=now, agenda=agenda)

    # -- what time does -----------------------------------------------------------------------

    def sweep(self, as_of: datetime) -> dict[str, int]:
        """Expire unpaid bookings past their deadline and send the reminders due at `as_of`."""
        counts = {"expired": 0, "reminded": 0, "dropped": 0}
        for _ in range(SWEEP_PAGES):
            timers = self.store.due_timers(as_of, limit=SWEEP_PAGE)
            for timer in timers:
                self._run_timer(timer, as_of, counts)
            if len(timers) < SWEEP_PAGE:
                break
        if any(counts.values()):
            logger.info("due work done", extra={"as_of": as_of.isoformat(), **counts})
        return counts

    def _run_timer(self, timer: DueTimer, as_of: datetime, counts: dict[str, int]) -> None:
        for _ in range(ATTEMPTS):
            consultation = self.store.consultation(timer.consultation_id)
            current = lifecycle.next_timer(consultation) if consultation else None
            if current is None or _to_the_second(current.due_at) != timer.due_at:
                # Left behind by a change that wrote no timer for it: nothing is due.
                self.store.drop_timer(timer)
                counts["dropped"] += 1
                return
            assert consultation is not None
            change = lifecycle.on_timer(consultation, as_of=as_of)
            if change is None:
                return  # due later within the same second; the next run takes it
            try:
                self._commit(change, self.now())
            except Stale:
                continue
            if change.after.status is Status.EXPIRED:
                counts["expired"] += 1
            elif change.events:
                counts["reminded"] += 1
            return

    # -- what other services tell us ------------------------------------------------------

    def on_doctor_event(self, event: Event) -> None:
        data = event.data
        if event.type == "profile.updated":
            if data.get("role") != "doctor":
                return
            doctor_id = data["user_id"]
        else:
            doctor_id = data["doctor_id"]
        for _ in range(ATTEMPTS):
            known = self.store.doctor(doctor_id)
            current = known or Doctor(doctor_id)
            updated = current.apply(event.type, data, event.occurred_at)
            if updated == current and known is not None:
                break
            try:
                self.store.save_doctor(updated)
            except Stale:
                continue
            logger.info(
                "doctor copy updated",
                extra={
                    "doctor_id": doctor_id,
                    "event_type": event.type,
                    "doctor_status": updated.status,
                },
            )
            break
        else:
            raise Busy()
        if updated.status == "suspended":
            # Also on a redelivery: a crash halfway left some consultations to cancel.
            self._cancel_upcoming(doctor_id)

    def _cancel_upcoming(self, doctor_id: str) -> None:
        for consultation in self.store.upcoming_of_doctor(doctor_id, self.now()):
            self._apply(
                consultation.id,
                lambda c, now: lifecycle.cancel_for_suspension(c, now=now),
            )

    def on_payment_succeeded(self, event: Event) -> None:
        data = event.data

        def decide(c: Consultation, now: datetime) -> Change | None:
            return lifecycle.confirm_payment(
                c,
                payment_id=data["payment_id"],
                amount_xof=data["amount_xof"],
                payer_id=data["payer_id"],
                now=now,
                policy=self.policy,
            )

        def refuse(c: Consultation, now: datetime) -> Change:
            return lifecycle.refuse_late_payment(c, payment_id=data["payment_id"], now=now)

        self._apply(data["consultation_id"], decide, on_time_taken=refuse)

    def on_payment_failed(self, event: Event) -> None:
        self._apply(
            event.data["consultation_id"], lambda c, now: lifecycle.fail_payment(c, now=now)
        )

    def on_payment_refunded(self, event: Event) -> None:
        self._apply(
            event.data["consultation_id"], lambda c, now: lifecycle.record_refund(c, now=now)
        )

    def on_call_joined(self, event: Event) -> None:
        from keneya.events.catalogue import CallJoined

        data = CallJoined.model_validate(event.data)

        def decide(c: Consultation, now: datetime) -> Change | None:
            if c.participant_role(data.user_id) != data.role:
                _not_the_participant(event, c)
            return lifecycle.record_call_joined(
                c, user_id=data.user_id, role=data.role, joined_at=data.joined_at, now=now
            )

        self._apply(data.consultation_id, decide)

    def on_call_left(self, event: Event) -> None:
        from keneya.events.catalogue import CallLeft

        data = CallLeft.model_validate(event.data)

        def decide(c: Consultation, now: datetime) -> Change | None:
            if c.participant_role(data.user_id) != data.role:
                _not_the_participant(event, c)
            return lifecycle.record_call_left(
                c,
                user_id=data.user_id,
                role=data.role,
                joined_at=data.joined_at,
                left_at=data.left_at,
                seconds=data.duration_seconds,
                reason=data.reason,
                now=now,
            )

        self._apply(data.consultation_id, decide)

    def _apply(
        self,
        consultation_id: str,
        decide: Callable[[Consultation, datetime], Change | None],
        on_time_taken: Callable[[Consultation, datetime], Change] | None = None,
    ) -> None:
        """Apply an event's change; an event about an unknown consultation is logged and
        dropped (it cannot become applicable by retrying)."""
        for _ in range(ATTEMPTS):
            consultation = self.store.consultation(consultation_id)
            if consultation is None:
                logger.warning(
                    "event for an unknown consultation ignored",
                    extra={"consultation_id": consultation_id},
                )
                return
            now = self.now()
            try:
                change = decide(consultation, now)
            except PaymentNotApplicable as refused:
                logger.error(
                    "payment not applied",
                    extra={
                        "consultation_id": consultation_id,
                        "why": refused.why,
                        "status": consultation.status.value,
                    },
                )
                return
            if change is None:
                return
            try:
                stored = self._commit(change, now)
            except Stale:
                continue
            except (SlotTaken, PatientBusy):
                if on_time_taken is None:
                    raise
                try:
                    stored = self._commit(on_time_taken(consultation, now), now)
                except Stale:
                    continue
            logger.info(
                "consultation changed by an event",
                extra={"consultation_id": consultation_id, "status": stored.status.value},
            )
            return
        raise Busy()


def _to_the_second(moment: datetime) -> datetime:
    # Timers are stored to the second: a due time that moved by less is the same timer.
    return moment.astimezone(UTC).replace(microsecond=0)


def _not_the_participant(event: Event, c: Consultation) -> None:
    """An attendance event naming someone else than the participant in that role: the
    signaling service admits only the two participants, so this is a fault worth seeing."""
    logger.warning(
        "call event about someone not in that role ignored",
        extra={"event_id": event.id, "event_type": event.type, "consultation_id": c.id},
    )
