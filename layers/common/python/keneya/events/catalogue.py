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


# --- users --------------------------------------------------------------------------------


class ProfileUpdated(Payload):
    user_id: Id
    role: Role
    changed: list[str]


class DoctorVerified(Payload):
    doctor_id: Id
    full_name: str
    specialty: str
    fee_xof: AmountXof
    time_zone: str = "Africa/Bamako"


class DoctorSuspended(Payload):
    doctor_id: Id
    reason: str | None = None


class TimeRange(Payload):
    start: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
    end: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]


class AvailabilityException(Payload):
    day: date
    available: bool
    ranges: list[TimeRange] = []


class AvailabilityChanged(Payload):
    """The full schedule, so consumers compute free slots without calling the users service."""

    doctor_id: Id
    time_zone: str
    slot_minutes: Annotated[int, Field(ge=5, le=240)]
    weekly: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[TimeRange]]
    exceptions: list[AvailabilityException] = []
    fee_xof: AmountXof | None = None


# --- consultations ------------------------------------------------------------------------


class ConsultationRef(Payload):
    consultation_id: Id
    patient_id: Id
    doctor_id: Id


class ConsultationBooked(ConsultationRef):
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    fee_xof: AmountXof
    status: Literal["pending_payment", "confirmed"]


class ConsultationConfirmed(ConsultationRef):
    starts_at: datetime


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
    cancelled_by: Literal["patient", "doctor", "admin", "system"]
    refund_due: bool
    fee_xof: AmountXof


class ConsultationEnded(ConsultationRef):
    """Expired unpaid, or the patient did not show up."""

    starts_at: datetime


class ConsultationReminderDue(ConsultationRef):
    starts_at: datetime
    minutes_before: int


# --- payments -----------------------------------------------------------------------------


class PaymentRef(Payload):
    payment_id: Id
    consultation_id: Id
    payer_id: Id
    amount_xof: AmountXof
    provider: Provider


class PaymentFailed(PaymentRef):
    reason: str


# --- records ------------------------------------------------------------------------------


class RecordUpdated(Payload):
    patient_id: Id
    cause: Literal["consultation", "patient", "attachment"]
    consultation_id: Id | None = None


CATALOGUE: dict[str, dict[int, type[Payload]]] = {
    "user.registered": {1: UserRegistered},
    "auth.otp_requested": {1: OtpRequested},
    "user.phone_verified": {1: PhoneVerified},
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
    "payment.succeeded": {1: PaymentRef},
    "payment.failed": {1: PaymentFailed},
    "payment.refunded": {1: PaymentRef},
    "record.updated": {1: RecordUpdated},
}


def latest_version(event_type: str) -> int:
    return max(CATALOGUE[event_type])
