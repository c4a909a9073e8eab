"""A consultation from booking to completion: its states, the one table of legal transitions,
and the rules of each step (who may, when, what it costs, what the others are told).

    pending_payment -> confirmed     payment succeeded (a free consultation is booked confirmed)
    pending_payment -> expired       unpaid after 15 minutes, or payment failed: time released
    pending_payment -> cancelled     by the patient, the doctor or an administrator
    confirmed       -> in_progress   the doctor starts the session
    confirmed       -> cancelled     by the patient, the doctor or an administrator
    confirmed       -> no_show       the doctor, after the start time
    in_progress     -> completed     the doctor, with the clinical summary
    in_progress     -> no_show       the doctor, if the patient never joined
    expired         -> confirmed     a late payment while the time is still free
    expired         -> cancelled     a late payment after the time was taken (refunded)

The call attendance (`chalicelib.attendance`) is recorded beside the states, whatever the
state: a `call.left` of a call the consultation's end closed may well arrive after it.

Every step is a pure function of the consultation and the time: it returns a `Change` (the new
consultation, the events to emit, the time to hold or release) or raises a domain error. The
store writes a change atomically; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.agenda import PatientAgenda
from chalicelib.attendance import CallAttendance, CallRole, LeaveReason
from chalicelib.clinical import ClinicalSummary
from chalicelib.doctors import Doctor
from chalicelib.errors import (
    DoctorNotBookable,
    IllegalTransition,
    NotASlot,
    OutsideWindow,
    PatientBusy,
)
from chalicelib.policy import Policy

Mode = Literal["video", "audio"]
Role = Literal["patient", "doctor", "admin"]
CancelledBy = Literal["patient", "doctor", "admin", "system"]


class Status(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NO_SHOW = "no_show"


S = Status
# The one table of legal transitions: action -> {from: to}. Anything else is a 409.
TRANSITIONS: dict[str, dict[Status, Status]] = {
    "confirm": {S.PENDING_PAYMENT: S.CONFIRMED},
    "confirm_late": {S.EXPIRED: S.CONFIRMED},
    "refuse_late": {S.EXPIRED: S.CANCELLED},
    "expire": {S.PENDING_PAYMENT: S.EXPIRED},
    "cancel": {S.PENDING_PAYMENT: S.CANCELLED, S.CONFIRMED: S.CANCELLED},
    "start": {S.CONFIRMED: S.IN_PROGRESS},
    "complete": {S.IN_PROGRESS: S.COMPLETED},
    "no_show": {S.CONFIRMED: S.NO_SHOW, S.IN_PROGRESS: S.NO_SHOW},
}
FINAL = frozenset({S.COMPLETED, S.CANCELLED, S.EXPIRED, S.NO_SHOW})


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role


class Consultation(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    patient_id: str
    doctor_id: str
    doctor_name: str | None = None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    mode: Mode
    reason: str
    fee_xof: int
    status: Status
    booked_at: datetime
    payment_due_at: datetime | None = None
    confirmed_at: datetime | None = None
    payment_id: str | None = None
    reminders_planned: tuple[int, ...] = ()
    reminders_sent: tuple[int, ...] = ()
    room_id: str | None = None
    started_at: datetime | None = None
    patient_joined_at: datetime | None = None
    completed_at: datetime | None = None
    summary: ClinicalSummary | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    cancellation_reason: str | None = None
    cancellation_note: str | None = None
    refund_due: bool | None = None
    expired_at: datetime | None = None
    no_show_at: datetime | None = None
    late_payment_id: str | None = None
    refunded_at: datetime | None = None
    call: CallAttendance = CallAttendance()
    updated_at: datetime
    version: int = 0

    @property
    def paid(self) -> bool:
        return self.fee_xof > 0 and self.payment_id is not None

    def participant_role(self, user_id: str) -> Literal["patient", "doctor"] | None:
        if user_id == self.patient_id:
            return "patient"
        if user_id == self.doctor_id:
            return "doctor"
        return None


@dataclass(frozen=True)
class Emitted:
    """An event to put in the outbox with the change: its type and catalogue payload."""

    type: str
    data: dict[str, Any]


TimeHold = Literal["hold", "release"] | None


@dataclass(frozen=True)
class Change:
    before: Consultation | None
    after: Consultation
    events: tuple[Emitted, ...] = ()
    # What happens to the doctor's blocks and to the patient's agenda.
    doctor_time: TimeHold = None
    patient_time: TimeHold = None


@dataclass(frozen=True)
class Timer:
    """The next thing due for a consultation, so the sweep finds it without scanning."""

    due_at: datetime
    kind: Literal["expire", "remind"]


class PaymentNotApplicable(Exception):
    """A payment event that must not change the consultation (logged by the consumer)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# -- helpers ---------------------------------------------------------------------------------


def _move(c: Consultation, action: str, now: datetime, **changes: Any) -> Consultation:
    target = TRANSITIONS[action].get(c.status)
    if target is None:
        raise IllegalTransition(action, c.status.value)
    return c.model_copy(update={"status": target, "updated_at": now, **changes})


def _ref(c: Consultation) -> dict[str, Any]:
    return {
        "consultation_id": c.id,
        "patient_id": c.patient_id,
        "doctor_id": c.doctor_id,
        "doctor_name": c.doctor_name,
    }


def _planned_reminders(c: Consultation, confirmed_at: datetime, policy: Policy) -> tuple[int, ...]:
    """Reminders still ahead at confirmation: a consultation booked 3 hours ahead gets the
    1-hour reminder only."""
    return tuple(
        m for m in policy.reminder_minutes if c.starts_at - timedelta(minutes=m) > confirmed_at
    )


def _confirmed_event(c: Consultation) -> Emitted:
    return Emitted(
        "consultation.confirmed",
        {**_ref(c), "starts_at": c.starts_at, "ends_at": c.ends_at, "mode": c.mode},
    )


def _cancelled_event(c: Consultation) -> Emitted:
    return Emitted(
        "consultation.cancelled",
        {
            **_ref(c),
            "cancelled_by": c.cancelled_by,
            "refund_due": bool(c.refund_due),
            "fee_xof": c.fee_xof,
            "reason": c.cancellation_reason,
            "starts_at": c.starts_at,
            "payment_id": c.late_payment_id or c.payment_id,
        },
    )


# -- booking ---------------------------------------------------------------------------------


def book(
    *,
    consultation_id: str,
    patient_id: str,
    doctor: Doctor,
    starts_at: datetime,
    reason: str,
    mode: Mode,
    agenda: PatientAgenda,
    now: datetime,
    policy: Policy,
) -> Change:
    """A patient books a slot of a doctor. The fee is the doctor's at this moment; a free
    consultation is confirmed at once, a paid one waits `policy.payment_window` for payment."""
    if not doctor.bookable or doctor.schedule is None or doctor.fee_xof is None:
        raise DoctorNotBookable(doctor.doctor_id)
    slot = doctor.schedule.slot_at(starts_at)
    if slot is None:
        raise NotASlot("not_in_schedule")
    if slot.starts_at < now + policy.min_notice:
        raise NotASlot("too_soon")
    if slot.starts_at > now + policy.horizon:
        raise NotASlot("too_far")
    conflict = agenda.conflict(slot.starts_at, slot.ends_at, now)
    if conflict is not None:
        raise PatientBusy(conflict.consultation_id)

    free = doctor.fee_xof == 0
    consultation = Consultation(
        id=consultation_id,
        patient_id=patient_id,
        doctor_id=doctor.doctor_id,
        doctor_name=doctor.full_name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        time_zone=doctor.schedule.time_zone,
        mode=mode,
        reason=reason,
        fee_xof=doctor.fee_xof,
        status=Status.CONFIRMED if free else Status.PENDING_PAYMENT,
        booked_at=now,
        payment_due_at=None if free else min(now + policy.payment_window, slot.starts_at),
        confirmed_at=now if free else None,
        updated_at=now,
    )
    if free:
        consultation = consultation.model_copy(
            update={"reminders_planned": _planned_reminders(consultation, now, policy)}
        )
    booked = Emitted(
        "consultation.booked",
        {
            **_ref(consultation),
            "starts_at": consultation.starts_at,
            "ends_at": consultation.ends_at,
            "mode": mode,
            "fee_xof": consultation.fee_xof,
            "status": consultation.status.value,
            "payment_due_at": consultation.payment_due_at,
        },
    )
    events = (booked, _confirmed_event(consultation)) if free else (booked,)
    return Change(None, consultation, events, doctor_time="hold", patient_time="hold")


# -- payments --------------------------------------------------------------------------------


def confirm_payment(
    c: Consultation,
    *,
    payment_id: str,
    amount_xof: int,
    payer_id: str,
    now: datetime,
    policy: Policy,
) -> Change | None:
    """`payment.succeeded`: a pending consultation is confirmed. A payment arriving after the
    booking expired confirms it again if its time is still free (`confirm_late`; the store
    re-takes the time, and on failure the caller uses `refuse_late_payment`). A payment for a
    consultation the patient already cancelled is owed back. None: nothing to change."""
    if payment_id in (c.payment_id, c.late_payment_id):
        return None  # this payment was applied already
    if payer_id != c.patient_id:
        raise PaymentNotApplicable("payer_is_not_the_patient")
    if amount_xof != c.fee_xof:
        raise PaymentNotApplicable("amount_differs_from_fee")
    if c.status is Status.PENDING_PAYMENT:
        after = _move(c, "confirm", now, confirmed_at=now, payment_id=payment_id)
        after = after.model_copy(
            update={"reminders_planned": _planned_reminders(after, now, policy)}
        )
        return Change(c, after, (_confirmed_event(after),))
    if c.status is Status.EXPIRED:
        if now >= c.starts_at:
            return refuse_late_payment(c, payment_id=payment_id, now=now)
        after = _move(c, "confirm_late", now, confirmed_at=now, payment_id=payment_id)
        after = after.model_copy(
            update={"reminders_planned": _planned_reminders(after, now, policy)}
        )
        return Change(c, after, (_confirmed_event(after),), doctor_time="hold", patient_time="hold")
    if c.status is Status.CANCELLED and not c.refund_due:
        # Paid while (or after) cancelling: nothing was owed, now the payment is.
        after = c.model_copy(
            update={
                "refund_due": True,
                "late_payment_id": payment_id,
                "updated_at": now,
                "cancellation_reason": "paid_after_cancellation",
            }
        )
        return Change(c, after, (_cancelled_event(after),))
    raise PaymentNotApplicable(f"consultation_{c.status.value}")


def refuse_late_payment(c: Consultation, *, payment_id: str, now: datetime) -> Change:
    """A payment after expiry whose time was taken meanwhile: cancelled, and refunded."""
    after = _move(
        c,
        "refuse_late",
        now,
        cancelled_at=now,
        cancelled_by="system",
        cancellation_reason="paid_after_expiry",
        refund_due=True,
        late_payment_id=payment_id,
    )
    return Change(c, after, (_cancelled_event(after),))


def fail_payment(c: Consultation, *, now: datetime) -> Change | None:
    """`payment.failed`: the booking expires at once and its time is freed."""
    if c.status is not Status.PENDING_PAYMENT:
        return None
    return _expire(c, now)


def record_refund(c: Consultation, *, now: datetime) -> Change | None:
    """`payment.refunded`: noted on the consultation (the patient sees it); no state change."""
    if c.refunded_at is not None:
        return None
    return Change(c, c.model_copy(update={"refunded_at": now, "updated_at": now}))


def _expire(c: Consultation, now: datetime) -> Change:
    after = _move(c, "expire", now, expired_at=now)
    event = Emitted("consultation.expired", {**_ref(after), "starts_at": after.starts_at})
    return Change(c, after, (event,), doctor_time="release", patient_time="release")


# -- what people do --------------------------------------------------------------------------


def patient_refund_deadline(c: Consultation, policy: Policy) -> datetime | None:
    """Until when the patient's own cancellation of `c` is refunded in full; None when nothing
    was paid or it can no longer be cancelled. (After it, the patient is refunded only if the
    doctor does not come.)"""
    if c.status not in TRANSITIONS["cancel"] or not c.paid:
        return None
    return c.starts_at - policy.patient_refund_notice


def cancel(
    c: Consultation, *, by: Actor, note: str | None, now: datetime, policy: Policy
) -> Change:
    """Cancellation by the patient, the doctor or an administrator, with the refund rule:
    nothing paid, nothing owed; a doctor's or administrator's cancellation is refunded; a
    patient's is refunded when made `policy.patient_refund_notice` before the start, or when the
    doctor has not started the session `policy.doctor_late_grace` after it."""
    if c.status not in TRANSITIONS["cancel"]:
        raise IllegalTransition("cancel", c.status.value)
    cancelled_by: CancelledBy = by.role
    reason = f"{by.role}_request"
    if by.role == "patient":
        absent_from = c.starts_at + policy.doctor_late_grace
        if c.status is Status.CONFIRMED and c.starts_at <= now < absent_from:
            raise OutsideWindow("cancel", c.status.value, absent_from, None)
        if c.status is Status.CONFIRMED and now >= absent_from:
            reason = "doctor_absent"
        deadline = patient_refund_deadline(c, policy)
        refund = c.paid and (
            reason == "doctor_absent" or (deadline is not None and now <= deadline)
        )
    else:
        refund = c.paid
    after = _move(
        c,
        "cancel",
        now,
        cancelled_at=now,
        cancelled_by=cancelled_by,
        cancellation_reason=reason,
        cancellation_note=note,
        refund_due=refund,
    )
    return Change(
        c, after, (_cancelled_event(after),), doctor_time="release", patient_time="release"
    )


def cancel_for_suspension(c: Consultation, *, now: datetime) -> Change | None:
    """The doctor was suspended: upcoming consultations are cancelled and refunded."""
    if c.status not in TRANSITIONS["cancel"]:
        return None
    after = _move(
        c,
        "cancel",
        now,
        cancelled_at=now,
        cancelled_by="system",
        cancellation_reason="doctor_suspended",
        refund_due=c.paid,
    )
    return Change(
        c, after, (_cancelled_event(after),), doctor_time="release", patient_time="release"
    )


def start(c: Consultation, *, room_id: str, now: datetime, policy: Policy) -> Change:
    """The doctor opens the teleconsultation: from `policy.start_early` before the start time
    until its end. The session (room) is what the signaling service lets both participants join."""
    if c.status not in TRANSITIONS["start"]:
        raise IllegalTransition("start", c.status.value)
    opens_at = c.starts_at - policy.start_early
    if not opens_at <= now <= c.ends_at:
        raise OutsideWindow("start", c.status.value, opens_at, c.ends_at)
    after = _move(c, "start", now, room_id=room_id, started_at=now)
    event = Emitted(
        "consultation.started",
        {**_ref(after), "room_id": room_id, "mode": after.mode, "started_at": now},
    )
    return Change(c, after, (event,))


def join(c: Consultation, *, by: Actor, now: datetime) -> Change | None:
    """A participant joins the open session (again, after a network change); the patient's
    first join is recorded. None: nothing to record."""
    if c.status is not Status.IN_PROGRESS:
        raise IllegalTransition("join", c.status.value)
    if by.user_id != c.patient_id or c.patient_joined_at is not None:
        return None
    return Change(c, c.model_copy(update={"patient_joined_at": now, "updated_at": now}))


def complete(c: Consultation, *, summary: ClinicalSummary, now: datetime) -> Change:
    """The doctor ends the session with the clinical summary the patient's record is built from."""
    if summary.reason is None:
        summary = summary.model_copy(update={"reason": c.reason})
    after = _move(c, "complete", now, completed_at=now, summary=summary)
    event = Emitted(
        "consultation.completed",
        {**_ref(after), "completed_at": now, **summary.model_dump(mode="json")},
    )
    return Change(c, after, (event,), patient_time="release")


def mark_no_show(c: Consultation, *, now: datetime) -> Change:
    """The doctor records that the patient did not come: after the start time, and only if the
    patient never joined. Not refunded."""
    if c.status not in TRANSITIONS["no_show"]:
        raise IllegalTransition("no_show", c.status.value)
    if c.status is Status.IN_PROGRESS and c.patient_joined_at is not None:
        raise IllegalTransition("no_show", c.status.value)
    if now < c.starts_at:
        raise OutsideWindow("no_show", c.status.value, c.starts_at, None)
    after = _move(c, "no_show", now, no_show_at=now)
    event = Emitted("consultation.no_show", {**_ref(after), "starts_at": after.starts_at})
    return Change(c, after, (event,), patient_time="release")


# -- what the signaling service tells ---------------------------------------------------------


def record_call_joined(
    c: Consultation, *, user_id: str, role: CallRole, joined_at: datetime, now: datetime
) -> Change | None:
    """`call.joined`: a session of presence opens for the participant. None: nothing to record
    (a repeat, or `user_id` is not the consultation's participant in that role)."""
    if c.participant_role(user_id) != role:
        return None
    call = c.call.joined(role, joined_at)
    if call is None:
        return None
    update: dict[str, object] = {"call": call, "updated_at": now}
    if role == "patient" and c.patient_joined_at is None:
        # Being in the video call is being there: the doctor can no longer mark a no-show.
        update["patient_joined_at"] = joined_at
    return Change(c, c.model_copy(update=update))


def record_call_left(
    c: Consultation,
    *,
    user_id: str,
    role: CallRole,
    joined_at: datetime,
    left_at: datetime,
    seconds: int,
    reason: LeaveReason,
    now: datetime,
) -> Change | None:
    """`call.left`: the participant's session that began at `joined_at` closes, with the
    duration the signaling service measured. None: nothing to record."""
    if c.participant_role(user_id) != role:
        return None
    call = c.call.left(role, joined_at=joined_at, left_at=left_at, seconds=seconds, reason=reason)
    if call is None:
        return None
    return Change(c, c.model_copy(update={"call": call, "updated_at": now}))


# -- what time does --------------------------------------------------------------------------


def next_timer(c: Consultation) -> Timer | None:
    """When the sweep must next look at `c`: its payment deadline, or its next reminder."""
    if c.status is Status.PENDING_PAYMENT and c.payment_due_at is not None:
        return Timer(c.payment_due_at, "expire")
    if c.status is Status.CONFIRMED:
        waiting = [m for m in c.reminders_planned if m not in c.reminders_sent]
        if waiting:
            return Timer(c.starts_at - timedelta(minutes=max(waiting)), "remind")
    return None


def on_timer(c: Consultation, *, as_of: datetime) -> Change | None:
    """What the sweep does at `as_of`: expire an unpaid booking past its deadline, or send the
    reminder that is due. Each reminder goes out once; one that is overtaken by the next (the
    sweep was late) is skipped rather than sent out of place."""
    if c.status is Status.PENDING_PAYMENT:
        if c.payment_due_at is not None and as_of >= c.payment_due_at:
            return _expire(c, as_of)
        return None
    if c.status is not Status.CONFIRMED:
        return None
    due = [
        m
        for m in c.reminders_planned
        if m not in c.reminders_sent and as_of >= c.starts_at - timedelta(minutes=m)
    ]
    if not due:
        return None
    after = c.model_copy(
        update={
            "reminders_sent": (*c.reminders_sent, *sorted(due, reverse=True)),
            "updated_at": as_of,
        }
    )
    if as_of >= c.starts_at:
        return Change(c, after)
    nearest = min(due)
    event = Emitted(
        "consultation.reminder_due",
        {**_ref(c), "starts_at": c.starts_at, "minutes_before": nearest, "mode": c.mode},
    )
    return Change(c, after, (event,))
