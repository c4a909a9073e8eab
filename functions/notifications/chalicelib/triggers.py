"""Which events tell whom what: each consumed event type becomes notices (and contact facts).

One function per event type, all pure: given the event, the notices it causes. The channels of
a notice are those its kind can use; preferences and reachable addresses narrow them later.
Whom a `call.joined` concerns depends on what the service knows of the consultation, so that
event gives an `Arrival` the dispatcher announces (`chalicelib.calls`) with `arrival_notice`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib import local_formats
from chalicelib.calls import Arrival, CallRole, Participants
from chalicelib.contacts import ContactFacts
from chalicelib.notices import Notice, notice_id
from chalicelib.preferences import Category, Channel
from keneya.events import Event
from keneya.events import catalogue as c

ALL: tuple[Channel, ...] = ("in_app", "push", "sms", "email")
URGENT: tuple[Channel, ...] = ("in_app", "push", "sms")
QUIET: tuple[Channel, ...] = ("in_app", "push")


@dataclass(frozen=True)
class Reaction:
    """What the service does about one event."""

    notices: list[Notice] = field(default_factory=list)
    facts: list[ContactFacts] = field(default_factory=list)
    consultations: list[Participants] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)


def _payload(event: Event) -> Any:
    """The event's data as its catalogue model (typed: datetimes, ints)."""
    return c.CATALOGUE[event.type][event.version].model_validate(event.data)


def _notice(
    event: Event,
    kind: str,
    category: Category,
    user_id: str | None,
    channels: tuple[Channel, ...],
    **options: Any,
) -> Notice:
    recipient = user_id or options.get("phone") or options.get("email") or ""
    return Notice(
        id=notice_id(event.id, recipient, kind, event.occurred_at),
        kind=kind,
        category=category,
        user_id=user_id,
        channels=channels,
        **options,
    )


# -- auth ----------------------------------------------------------------------------------


def otp_requested(event: Event) -> Reaction:
    data: c.OtpRequested = _payload(event)
    minutes = local_formats.minutes_between(event.occurred_at, data.expires_at)
    notice = _notice(
        event,
        f"otp.{data.purpose}",
        "security",
        data.user_id,
        ("sms",),
        values={"code": data.code, "minutes": minutes},
        phone=data.phone,
        language=data.language,
        in_inbox=False,
        secret=True,
    )
    return Reaction(notices=[notice])


def user_registered(event: Event) -> Reaction:
    data: c.UserRegistered = _payload(event)
    facts = ContactFacts(
        user_id=data.user_id,
        full_name=data.full_name,
        role=data.role,
        phone=data.phone,
        email=data.email,
        language=data.language,
    )
    if data.role == "admin":
        return Reaction(facts=[facts])
    notice = _notice(event, f"welcome.{data.role}", "account", data.user_id, ALL)
    return Reaction(notices=[notice], facts=[facts])


def phone_verified(event: Event) -> Reaction:
    data: c.PhoneVerified = _payload(event)
    return Reaction(
        facts=[ContactFacts(user_id=data.user_id, phone=data.phone, phone_verified=True)]
    )


def profile_updated(event: Event) -> Reaction:
    data: c.ProfileUpdated = _payload(event)
    facts = ContactFacts(
        user_id=data.user_id, full_name=data.full_name, role=data.role, language=data.language
    )
    return Reaction(facts=[facts])


def password_changed(event: Event) -> Reaction:
    data: c.PasswordChanged = _payload(event)
    notice = _notice(
        event,
        f"password.{data.how}",
        "security",
        data.user_id,
        ALL,
        phone=data.phone,
        email=data.email,
        language=data.language,
    )
    return Reaction(notices=[notice])


# -- users ---------------------------------------------------------------------------------


def doctor_verified(event: Event) -> Reaction:
    data: c.DoctorVerified = _payload(event)
    notice = _notice(
        event,
        "doctor.verified",
        "account",
        data.doctor_id,
        ALL,
        values={"specialty": data.specialty, "fee_xof": data.fee_xof},
    )
    facts = ContactFacts(user_id=data.doctor_id, full_name=data.full_name, role="doctor")
    return Reaction(notices=[notice], facts=[facts])


# -- consultations -------------------------------------------------------------------------


def _link(data: Any) -> dict[str, str]:
    return {"consultation_id": data.consultation_id}


def _doctor(data: Any) -> dict[str, Any]:
    """Mention of the doctor, with the name the event carries (as it was at booking)."""
    names = {"doctor": data.doctor_name} if getattr(data, "doctor_name", None) else {}
    return {"mentions": {"doctor": data.doctor_id}, "known_names": names}


def _participants(data: Any, happens_at: datetime) -> Participants:
    return Participants(data.consultation_id, data.patient_id, data.doctor_id, happens_at)


def consultation_booked(event: Event) -> Reaction:
    data: c.ConsultationBooked = _payload(event)
    learned = [_participants(data, data.ends_at)]
    if data.status != "pending_payment":
        # Free: `consultation.confirmed` follows and tells both.
        return Reaction(consultations=learned)
    notice = _notice(
        event, "consultation.booked", "appointments", data.patient_id, ALL,
        values={"starts_at": data.starts_at, "fee_xof": data.fee_xof}, link=_link(data),
        **_doctor(data),
    )
    return Reaction(notices=[notice], consultations=learned)


def consultation_confirmed(event: Event) -> Reaction:
    data: c.ConsultationConfirmed = _payload(event)
    values = {"starts_at": data.starts_at}
    return Reaction(
        notices=[
            _notice(
                event, "consultation.confirmed", "appointments", data.patient_id, ALL,
                values=values, link=_link(data), **_doctor(data),
            ),
            _notice(
                event, "consultation.confirmed.doctor", "appointments", data.doctor_id, ALL,
                values=values, mentions={"patient": data.patient_id}, link=_link(data),
            ),
        ]
    )


def consultation_cancelled(event: Event) -> Reaction:
    data: c.ConsultationCancelled = _payload(event)
    values: dict[str, Any] = {"fee_xof": data.fee_xof, "refund_due": data.refund_due}
    if data.starts_at is not None:
        values["starts_at"] = data.starts_at
    # A suspended doctor's patients are told why: the doctor no longer consults, for now.
    kind = (
        "consultation.cancelled.doctor_suspended"
        if data.reason == "doctor_suspended"
        else "consultation.cancelled"
    )
    notices = [
        _notice(
            event, kind, "appointments", data.patient_id, ALL,
            values=values, link=_link(data), **_doctor(data),
        )
    ]
    if data.cancelled_by != "doctor":
        notices.append(
            _notice(
                event, "consultation.cancelled.doctor", "appointments", data.doctor_id, ALL,
                values=values, mentions={"patient": data.patient_id}, link=_link(data),
            )
        )
    return Reaction(notices=notices)


def consultation_expired(event: Event) -> Reaction:
    data: c.ConsultationEnded = _payload(event)
    notice = _notice(
        event, "consultation.expired", "appointments", data.patient_id, ALL,
        values={"starts_at": data.starts_at}, link=_link(data), **_doctor(data),
    )
    return Reaction(notices=[notice])


def consultation_reminder_due(event: Event) -> Reaction:
    data: c.ConsultationReminderDue = _payload(event)
    values = {"starts_at": data.starts_at, "minutes": data.minutes_before}
    return Reaction(
        notices=[
            _notice(
                event, "consultation.reminder", "appointments", data.patient_id, URGENT,
                values=values, link=_link(data), **_doctor(data),
            ),
            _notice(
                event, "consultation.reminder.doctor", "appointments", data.doctor_id, QUIET,
                values=values, mentions={"patient": data.patient_id}, link=_link(data),
            ),
        ]
    )


def consultation_started(event: Event) -> Reaction:
    data: c.ConsultationStarted = _payload(event)
    notice = _notice(
        event, "consultation.started", "appointments", data.patient_id, URGENT,
        link={**_link(data), "room_id": data.room_id}, **_doctor(data),
    )
    return Reaction(notices=[notice], consultations=[_participants(data, data.started_at)])


def consultation_completed(event: Event) -> Reaction:
    # The clinical summary the event carries is never put into a notification.
    data: c.ConsultationCompleted = _payload(event)
    notice = _notice(
        event, "consultation.completed", "appointments", data.patient_id,
        ("in_app", "push", "email"), link=_link(data), **_doctor(data),
    )
    return Reaction(notices=[notice])


# -- signaling -----------------------------------------------------------------------------


def call_joined(event: Event) -> Reaction:
    data: c.CallJoined = _payload(event)
    return Reaction(
        arrivals=[Arrival(data.consultation_id, data.user_id, data.role, data.joined_at)]
    )


def arrival_notice(event: Event, arrival: Arrival, to_user: str, to_role: CallRole) -> Notice:
    """Telling `to_user` that the other participant came into the call: only useful in the
    moment, so in the app and by push, never by SMS or e-mail; opens the call's page."""
    cid = arrival.consultation_id
    link = {"consultation_id": cid, "url": f"/consultations/{cid}/call"}
    if to_role == "doctor":
        return _notice(
            event, "call.joined.doctor", "appointments", to_user, QUIET,
            mentions={"patient": arrival.user_id}, link=link,
        )
    return _notice(
        event, "call.joined", "appointments", to_user, QUIET,
        mentions={"doctor": arrival.user_id}, link=link,
    )


# -- payments ------------------------------------------------------------------------------


def _payment(kind: str, channels: tuple[Channel, ...]) -> Callable[[Event], Reaction]:
    def react(event: Event) -> Reaction:
        data: c.PaymentRef = _payload(event)
        notice = _notice(
            event, kind, "payments", data.payer_id, channels,
            values={"amount_xof": data.amount_xof, "provider": data.provider},
            link={"payment_id": data.payment_id, "consultation_id": data.consultation_id},
        )
        return Reaction(notices=[notice])

    return react


# -- records -------------------------------------------------------------------------------


def record_updated(event: Event) -> Reaction:
    data: c.RecordUpdated = _payload(event)
    if data.cause == "patient":
        return Reaction()  # the patient made the change and needs no telling
    kind = "record.updated" if data.cause == "consultation" else "record.attachment_added"
    link = {"patient_id": data.patient_id}
    if data.consultation_id:
        link["consultation_id"] = data.consultation_id
    return Reaction(notices=[_notice(event, kind, "records", data.patient_id, QUIET, link=link)])


REACTIONS: dict[str, Callable[[Event], Reaction]] = {
    "auth.otp_requested": otp_requested,
    "user.registered": user_registered,
    "user.phone_verified": phone_verified,
    "auth.password_changed": password_changed,
    "profile.updated": profile_updated,
    "doctor.verified": doctor_verified,
    "consultation.booked": consultation_booked,
    "consultation.confirmed": consultation_confirmed,
    "consultation.cancelled": consultation_cancelled,
    "consultation.expired": consultation_expired,
    "consultation.reminder_due": consultation_reminder_due,
    "consultation.started": consultation_started,
    "consultation.completed": consultation_completed,
    "payment.succeeded": _payment("payment.succeeded", ALL),
    "payment.failed": _payment("payment.failed", URGENT),
    "payment.refunded": _payment("payment.refunded", ALL),
    "record.updated": record_updated,
    "call.joined": call_joined,
}


def react(event: Event) -> Reaction:
    """What to do about `event`; nothing for a type this service does not handle."""
    reaction = REACTIONS.get(event.type)
    return reaction(event) if reaction else Reaction()
