"""The event catalogue: every event type Keneya publishes, its version and its payload schema.

This is the one place an event is defined. A producer cannot put an event in its outbox unless
its payload validates here, and a consumer rejects (and eventually dead-letters) one that does not.
Changing a payload incompatibly means adding a new version beside the old one, never editing it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=64)]
Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$", description="E.164")]
AmountXof = Annotated[int, Field(ge=0, description="Amount in XOF (no minor unit)")]
Language = Literal["fr", "en", "bm"]
Role = Literal["patient", "doctor", "admin"]
Mode = Literal["video", "audio"]
Provider = Literal["orange_money", "moov_money"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- auth ---------------------------------------------------------------------------------


class UserRegistered(Payload):
    user_id: Id
    role: Role
    full_name: str
    phone: Phone | None = None
    email: str | None = None
    language: Language = "fr"


class OtpRequested(Payload):
    """Carries the code so the notifications service can send it; never logged, never stored."""

    user_id: Id | None = None
    phone: Phone
    purpose: Literal["verify_phone", "reset_password"]
    code: Annotated[str, Field(pattern=r"^\d{6}$")]
    expires_at: datetime
    language: Language = "fr"


class PhoneVerified(Payload):
    user_id: Id
    phone: Phone


class PasswordChanged(Payload):
    """So the person can be told ("your password was changed") and act if it was not them."""

    user_id: Id
    how: Literal["changed", "reset"]
    phone: Phone | None = None
    email: str | None = None
    language: Language = "fr"


# --- users --------------------------------------------------------------------------------
#
# Every doctor event (doctor.verified, doctor.suspended, doctor.availability_changed, and
# profile.updated with role "doctor") carries the doctor's whole booking snapshot: `revision`,
# `status`, `full_name`, `specialty`, `fee_xof` and the schedule (`time_zone`, `slot_minutes`,
# `weekly`, `exceptions`; the last three null while the doctor has set no schedule, the time zone
# then Africa/Bamako; `exceptions` only lists days not yet past). `revision` grows with every
# change of the doctor, so a consumer keeping a copy replaces it whole with an event whose
# revision is higher than its own and ignores the others (events may arrive out of order).
#
# Slots: the schedule is wall-clock time in `time_zone` (IANA, "Africa/Bamako" by default).
# On a day, the ranges are `weekly[<weekday>]` unless `exceptions` has that day, whose ranges
# replace them (none when `available` is false). Slots of `slot_minutes` start at each range's
# start, back to back, and end no later than the range's end. Only a verified doctor is
# bookable.

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VerificationStatus = Literal["pending", "verified", "suspended"]
Revision = Annotated[int, Field(ge=1, description="Grows with every change of the doctor")]
SlotMinutes = Annotated[int, Field(ge=5, le=240)]


class TimeRange(Payload):
    """`start` included, `end` excluded ("24:00" is the end of the day); never crosses midnight."""

    start: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
    end: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]


class AvailabilityException(Payload):
    """A day (in the doctor's time zone) off the weekly schedule: a day off (`available` false,
    no ranges) or other hours (`available` true: `ranges` replace the weekday's for that day)."""

    day: date
    available: bool
    ranges: list[TimeRange] = []


class DoctorSnapshot(Payload):
    """What other services copy of a doctor to show and book them (see the note above)."""

    revision: Revision | None = None
    status: VerificationStatus | None = None
    full_name: str | None = None
    specialty: str | None = None
    fee_xof: AmountXof | None = None
    time_zone: str | None = None
    slot_minutes: SlotMinutes | None = None
    weekly: dict[Weekday, list[TimeRange]] | None = None
    exceptions: list[AvailabilityException] | None = None


class ProfileUpdated(DoctorSnapshot):
    """A profile changed; `changed` names its fields that did. `full_name` and `language` are
    given for every role, the rest of the snapshot for doctors only."""

    user_id: Id
    role: Role
    changed: list[str]
    language: Language | None = None


class DoctorVerified(DoctorSnapshot):
    """The doctor is listed and bookable (first verification, or reinstatement)."""

    doctor_id: Id
    full_name: str
    specialty: str
    fee_xof: AmountXof
    time_zone: str = "Africa/Bamako"


class DoctorSuspended(DoctorSnapshot):
    """The doctor is no longer listed nor bookable; `reason` is for administrators."""

    doctor_id: Id
    reason: str | None = None


class AvailabilityChanged(DoctorSnapshot):
    """The full schedule, so consumers compute free slots without calling the users service."""

    doctor_id: Id
    time_zone: str
    slot_minutes: SlotMinutes
    weekly: dict[Weekday, list[TimeRange]]
    exceptions: list[AvailabilityException] = []
    fee_xof: AmountXof | None = None


# --- consultations ------------------------------------------------------------------------


class ConsultationRef(Payload):
    consultation_id: Id
    patient_id: Id
    doctor_id: Id
    # The doctor's name as it was at booking, for the texts people read.
    doctor_name: str | None = None


class ConsultationBooked(ConsultationRef):
    """`status` confirmed: free, confirmed at once (`consultation.confirmed` follows); else the
    slot is held unpaid until `payment_due_at`, then `consultation.expired` releases it."""

    starts_at: datetime
    ends_at: datetime
    mode: Mode
    fee_xof: AmountXof
    status: Literal["pending_payment", "confirmed"]
    payment_due_at: datetime | None = None


class ConsultationConfirmed(ConsultationRef):
    starts_at: datetime
    ends_at: datetime | None = None
    mode: Mode | None = None


class ConsultationStarted(ConsultationRef):
    room_id: Id
    mode: Mode
    started_at: datetime


class Diagnosis(Payload):
    code: Annotated[str, Field(pattern=r"^[A-Z]\d{2}(\.\d{1,2})?$", description="ICD-10")]
    label: str


class Prescription(Payload):
    medicine: str
    dose: str
    route: str
    frequency: str
    duration: str
    instructions: str | None = None


class ConsultationCompleted(ConsultationRef):
    """Carries the clinical summary the patient's record is built from."""

    completed_at: datetime
    reason: str
    notes: str | None = None
    diagnoses: list[Diagnosis] = []
    prescriptions: list[Prescription] = []
    follow_up: str | None = None


class ConsultationCancelled(ConsultationRef):
    """`refund_due`: the payments service refunds `payment_id` (the fee) to the patient. A payment
    that succeeds after the booking was cancelled, or after it expired and its slot was taken,
    is owed back too: a `consultation.cancelled` with `refund_due` true and that payment's id
    says so (reason `paid_after_cancellation` / `paid_after_expiry`)."""

    cancelled_by: Literal["patient", "doctor", "admin", "system"]
    refund_due: bool
    fee_xof: AmountXof
    reason: (
        Literal[
            "patient_request",
            "doctor_request",
            "admin_request",
            "doctor_absent",
            "doctor_suspended",
            "paid_after_expiry",
            "paid_after_cancellation",
        ]
        | None
    ) = None
    starts_at: datetime | None = None
    payment_id: Id | None = None


class ConsultationEnded(ConsultationRef):
    """Expired unpaid, or the patient did not show up."""

    starts_at: datetime


class ConsultationReminderDue(ConsultationRef):
    """Sent once per reminder (1440 and 60 minutes before) of a confirmed consultation."""

    starts_at: datetime
    minutes_before: int
    mode: Mode | None = None


# --- signaling ----------------------------------------------------------------------------


class CallJoined(Payload):
    """A participant entered the video call of a consultation (again, after `call.left`)."""

    consultation_id: Id
    user_id: Id
    role: Literal["patient", "doctor"]
    joined_at: datetime


class CallLeft(Payload):
    """A participant's presence in the call ended: how long it lasted, never what was said.

    `reason`: `left` (hung up), `disconnected` (the connection dropped and was not taken over),
    `room_closed` (the consultation ended while they were in the call)."""

    consultation_id: Id
    user_id: Id
    role: Literal["patient", "doctor"]
    joined_at: datetime
    left_at: datetime
    duration_seconds: Annotated[int, Field(ge=0)]
    reason: Literal["left", "disconnected", "room_closed"]


# --- payments -----------------------------------------------------------------------------


class PaymentRef(Payload):
    payment_id: Id
    consultation_id: Id
    payer_id: Id
    amount_xof: AmountXof
    provider: Provider


class PaymentFailed(PaymentRef):
    """`reason`: the provider's refusal in lower case (`failed`, `expired`), `provider_refused`
    (the payment request itself was refused) or `amount_mismatch` (the provider confirmed
    another amount than the fee: nothing is recorded as paid, administrators are alerted)."""

    reason: str


class PaymentInitiated(PaymentRef):
    """A payment intent was created; the payer still has to pay, before the booking's
    `payment_due_at`."""


class PaymentExpired(PaymentRef):
    """Unpaid at the booking's payment deadline (the provider confirmed it was not paid)."""


# --- records ------------------------------------------------------------------------------


class RecordUpdated(Payload):
    """Ids and the kind of change only, never clinical content. `section` names the part of the
    record that changed and `item_id` the entry (the consultation id for an encounter)."""

    patient_id: Id
    cause: Literal["consultation", "patient", "attachment"]
    consultation_id: Id | None = None
    section: (
        Literal[
            "encounter",
            "allergies",
            "conditions",
            "medications",
            "vaccinations",
            "observations",
            "attachments",
        ]
        | None
    ) = None
    item_id: Id | None = None


CATALOGUE: dict[str, dict[int, type[Payload]]] = {
    "user.registered": {1: UserRegistered},
    "auth.otp_requested": {1: OtpRequested},
    "user.phone_verified": {1: PhoneVerified},
    "auth.password_changed": {1: PasswordChanged},
    "profile.updated": {1: ProfileUpdated},
    "doctor.verified": {1: DoctorVerified},
    "doctor.suspended": {1: DoctorSuspended},
    "doctor.availability_changed": {1: AvailabilityChanged},
    "consultation.booked": {1: ConsultationBooked},
    "consultation.confirmed": {1: ConsultationConfirmed},
    "consultation.started": {1: ConsultationStarted},
    "consultation.completed": {1: ConsultationCompleted},
    "consultation.cancelled": {1: ConsultationCancelled},
    "consultation.expired": {1: ConsultationEnded},
    "consultation.no_show": {1: ConsultationEnded},
    "consultation.reminder_due": {1: ConsultationReminderDue},
    "call.joined": {1: CallJoined},
    "call.left": {1: CallLeft},
    "payment.initiated": {1: PaymentInitiated},
    "payment.succeeded": {1: PaymentRef},
    "payment.failed": {1: PaymentFailed},
    "payment.expired": {1: PaymentExpired},
    "payment.refunded": {1: PaymentRef},
    "record.updated": {1: RecordUpdated},
}


def latest_version(event_type: str) -> int:
    return max(CATALOGUE[event_type])
