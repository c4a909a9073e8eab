"""The consultations use cases with the store in memory (tests/consultations/fakes.py): booking
and its Idempotency-Key, races for a slot or an agenda, payments, cancellation and refunds, what
time does, the session, and the refusals. No network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clinical import ClinicalSummary
from chalicelib.doctors import Doctor
from chalicelib.errors import (
    Busy,
    ConsultationNotFound,
    DoctorNotBookable,
    IdempotencyKeyReused,
    IllegalTransition,
    NotYourAction,
    PatientBusy,
    SlotTaken,
)
from chalicelib.lifecycle import Actor, Consultation, Status
from chalicelib.policy import Policy
from chalicelib.service import Booked, ConsultationService
from keneya.events import Event

from .fakes import Clock, InMemoryStore

# Monday 3 March 2031, 08:00 in Bamako (UTC+0).
NOW = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
TOMORROW_TEN = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)
PATIENT, OTHER_PATIENT = Actor("p1", "patient"), Actor("p2", "patient")
DOCTOR, STRANGER = Actor("d1", "doctor"), Actor("d9", "doctor")
FEE = 5000


def event(event_type: str, data: dict[str, Any], at: datetime = NOW) -> Event:
    return Event(
        id=f"e-{event_type}-{data.get('payment_id', data.get('doctor_id', ''))}",
        type=event_type,
        version=1,
        occurred_at=at,
        source="tests",
        correlation_id="corr-1",
        data=data,
    )


def verified(doctor_id: str = "d1", fee_xof: int = FEE) -> Doctor:
    return Doctor(doctor_id).apply(
        "doctor.verified",
        {
            "doctor_id": doctor_id,
            "revision": 1,
            "status": "verified",
            "full_name": "Dr Awa Diallo",
            "specialty": "general_practice",
            "fee_xof": fee_xof,
            "time_zone": "Africa/Bamako",
            "slot_minutes": 30,
            "weekly": {
                d: [{"start": "00:00", "end": "24:00"}]
                for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
            "exceptions": [],
        },
        NOW,
    )


class World:
    """One store and clock; `service()` is one more process sharing them (a Lambda sandbox)."""

    def __init__(self, fee_xof: int = FEE) -> None:
        self.store = InMemoryStore()
        self.clock = Clock(NOW)
        self.store.save_doctor(verified(fee_xof=fee_xof))
        self.consultations = self.service()

    def service(self) -> ConsultationService:
        return ConsultationService(self.store, Policy(), self.clock)

    def book(self, who: Actor = PATIENT, **request: Any) -> Consultation:
        return self.booked(who, **request).consultation

    def booked(
        self,
        who: Actor = PATIENT,
        starts_at: datetime = TOMORROW_TEN,
        key: str | None = None,
        reason: str = "Fièvre depuis trois jours",
        doctor_id: str = "d1",
        service: ConsultationService | None = None,
    ) -> Booked:
        return (service or self.consultations).book(
            patient_id=who.user_id,
            doctor_id=doctor_id,
            starts_at=starts_at,
            reason=reason,
            mode="video",
            idempotency_key=key,
        )

    def pay(self, c: Consultation, payment_id: str = "pay1") -> None:
        self.consultations.on_payment_succeeded(
            event(
                "payment.succeeded",
                {
                    "payment_id": payment_id,
                    "consultation_id": c.id,
                    "payer_id": c.patient_id,
                    "amount_xof": c.fee_xof,
                    "provider": "orange_money",
                },
            )
        )

    def confirmed(self, starts_at: datetime = TOMORROW_TEN) -> Consultation:
        c = self.book(starts_at=starts_at)
        self.pay(c)
        return self.now(c)

    def now(self, c: Consultation) -> Consultation:
        stored = self.store.consultation(c.id)
        assert stored is not None
        return stored

    def free_starts(self) -> list[datetime]:
        found = self.consultations.free_slots("d1", TOMORROW_TEN, TOMORROW_TEN + timedelta(hours=1))
        return [slot.starts_at for slot in found.slots]


@pytest.fixture
def world() -> World:
    return World()


# -- booking ------------------------------------------------------------------------------------


def test_a_paid_booking_holds_the_slot_and_waits_for_payment(world):
    c = world.book()

    assert c.status is Status.PENDING_PAYMENT
    assert c.payment_due_at == NOW + timedelta(minutes=15)
    assert world.store.event_types() == ["consultation.booked"]
    assert TOMORROW_TEN not in world.free_starts()
    assert world.store.agenda("p1").holds_consultation(c.id)


def test_a_free_consultation_is_confirmed_at_once():
    world = World(fee_xof=0)

    c = world.book()

    assert c.status is Status.CONFIRMED
    assert world.store.event_types() == ["consultation.booked", "consultation.confirmed"]


def test_a_booking_retried_with_its_idempotency_key_answers_the_first_result(world):
    first = world.booked(key="k-1")

    again = world.booked(key="k-1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.consultation == first.consultation
    assert len(world.store.consultations) == 1
    assert world.store.event_types() == ["consultation.booked"]


def test_an_idempotency_key_reused_for_another_request_is_refused(world):
    world.book(key="k-1")

    with pytest.raises(IdempotencyKeyReused):
        world.book(key="k-1", reason="Autre chose")
    assert len(world.store.consultations) == 1


def test_a_retry_racing_the_first_request_answers_what_the_first_committed(world):
    first: list[Consultation] = []
    world.store.interleave(lambda: first.append(world.book(key="k-1", service=world.service())))

    retry = world.booked(key="k-1")

    assert retry.replayed is True
    assert retry.consultation.id == first[0].id
    assert len(world.store.consultations) == 1


def test_two_patients_racing_for_one_slot_one_wins_the_other_is_told_it_is_taken(world):
    winner: list[Consultation] = []
    world.store.interleave(
        lambda: winner.append(world.book(OTHER_PATIENT, service=world.service()))
    )

    with pytest.raises(SlotTaken):
        world.book(PATIENT)

    assert [c.patient_id for c in world.store.consultations.values()] == ["p2"]
    assert world.store.agenda("p1").holds == ()


def test_a_patient_booking_two_overlapping_slots_at_once_has_the_second_read_again_and_refused(
    world,
):
    world.store.save_doctor(verified("d2"))
    other_doctor: list[Consultation] = []
    world.store.interleave(
        lambda: other_doctor.append(world.book(doctor_id="d2", service=world.service()))
    )

    with pytest.raises(PatientBusy) as refused:
        world.book(PATIENT)

    assert refused.value.consultation_id == other_doctor[0].id
    assert TOMORROW_TEN in world.free_starts()


def test_an_unknown_doctor_cannot_be_booked(world):
    with pytest.raises(DoctorNotBookable):
        world.consultations.book(
            patient_id="p1", doctor_id="nobody", starts_at=TOMORROW_TEN, reason="x", mode="video"
        )


# -- payments -----------------------------------------------------------------------------------


def test_a_payment_confirms_the_booking_once_however_often_it_is_told(world):
    c = world.book()

    world.pay(c)
    world.pay(c)

    stored = world.now(c)
    assert stored.status is Status.CONFIRMED
    assert stored.payment_id == "pay1"
    assert stored.reminders_planned == (1440, 60)
    assert world.store.event_types() == ["consultation.booked", "consultation.confirmed"]


def test_a_failed_payment_expires_the_booking_and_frees_the_slot(world):
    c = world.book()

    world.consultations.on_payment_failed(
        event(
            "payment.failed",
            {
                "payment_id": "pay1",
                "consultation_id": c.id,
                "payer_id": "p1",
                "amount_xof": FEE,
                "provider": "moov_money",
            },
        )
    )

    assert world.now(c).status is Status.EXPIRED
    assert TOMORROW_TEN in world.free_starts()


def test_a_late_payment_for_a_slot_taken_meanwhile_cancels_and_owes_a_refund(world):
    c = world.book()
    world.clock.advance(timedelta(minutes=16))
    world.consultations.sweep(world.clock.now)
    world.book(OTHER_PATIENT)

    world.pay(c)

    stored = world.now(c)
    assert stored.status is Status.CANCELLED
    assert (stored.refund_due, stored.cancellation_reason) == (True, "paid_after_expiry")
    assert world.store.event_types()[-1] == "consultation.cancelled"


# -- cancellation -------------------------------------------------------------------------------


def test_a_patient_cancelling_a_paid_consultation_well_ahead_is_refunded(world):
    c = world.confirmed()

    cancelled = world.consultations.cancel(PATIENT, c.id, "Empêchement")

    assert cancelled.status is Status.CANCELLED
    assert cancelled.refund_due is True
    assert TOMORROW_TEN in world.free_starts()
    assert world.store.events[-1].data["refund_due"] is True


def test_a_patient_cancelling_less_than_two_hours_before_is_not_refunded(world):
    c = world.confirmed()
    world.clock.now = TOMORROW_TEN - timedelta(minutes=90)

    cancelled = world.consultations.cancel(PATIENT, c.id, None)

    assert cancelled.status is Status.CANCELLED
    assert cancelled.refund_due is False


def test_a_cancel_that_loses_a_race_is_decided_again_on_what_won(world):
    c = world.book()
    # The payment lands between the cancel's read and its write: nothing was paid when the
    # patient asked, a refund is owed by the time the cancellation is written.
    world.store.interleave(lambda: world.pay(c))

    cancelled = world.consultations.cancel(PATIENT, c.id, None)

    assert cancelled.payment_id == "pay1"
    assert cancelled.status is Status.CANCELLED
    assert cancelled.refund_due is True


def test_a_consultation_that_keeps_changing_is_answered_busy(world):
    c = world.book()
    world.store.always_stale = True

    with pytest.raises(Busy):
        world.consultations.cancel(PATIENT, c.id, None)
    assert world.now(c).status is Status.PENDING_PAYMENT


def test_a_suspended_doctor_has_the_upcoming_consultations_cancelled_and_refunded(world):
    c = world.confirmed()

    world.consultations.on_doctor_event(
        event("doctor.suspended", {"doctor_id": "d1"}, at=NOW + timedelta(minutes=1))
    )

    stored = world.now(c)
    assert stored.status is Status.CANCELLED
    assert (stored.cancellation_reason, stored.refund_due) == ("doctor_suspended", True)
    with pytest.raises(DoctorNotBookable):
        world.book(OTHER_PATIENT, starts_at=TOMORROW_TEN + timedelta(hours=1))


# -- what time does -----------------------------------------------------------------------------


def test_an_unpaid_booking_expires_when_its_timer_is_due_and_not_before(world):
    c = world.book()

    early = world.consultations.sweep(NOW + timedelta(minutes=14))
    due = world.consultations.sweep(NOW + timedelta(minutes=15))

    assert early == {"expired": 0, "reminded": 0, "dropped": 0}
    assert due["expired"] == 1
    assert world.now(c).status is Status.EXPIRED
    assert TOMORROW_TEN in world.free_starts()
    assert world.store.timers == {}


def test_a_confirmed_consultation_is_reminded_a_day_before(world):
    c = world.confirmed()

    counts = world.consultations.sweep(TOMORROW_TEN - timedelta(hours=24))

    assert counts["reminded"] == 1
    reminder = world.store.events[-1]
    assert reminder.type == "consultation.reminder_due"
    assert reminder.data["minutes_before"] == 1440
    assert world.now(c).reminders_sent == (1440,)


# -- the session --------------------------------------------------------------------------------


def test_the_doctor_starts_and_completes_the_consultation(world):
    c = world.confirmed()
    world.clock.now = TOMORROW_TEN - timedelta(minutes=5)

    started = world.consultations.start(DOCTOR, c.id)
    world.clock.now = TOMORROW_TEN + timedelta(minutes=25)
    completed = world.consultations.complete(
        DOCTOR, c.id, ClinicalSummary(notes="Paludisme simple, traité.")
    )

    assert started.status is Status.IN_PROGRESS and started.room_id
    assert completed.status is Status.COMPLETED
    assert completed.summary is not None and completed.summary.reason == c.reason
    assert world.store.event_types()[-2:] == ["consultation.started", "consultation.completed"]
    assert not world.store.agenda("p1").holds_consultation(c.id)


def test_the_doctor_marks_a_no_show_once_the_start_time_passed(world):
    c = world.confirmed()
    world.clock.now = TOMORROW_TEN + timedelta(minutes=10)

    marked = world.consultations.mark_no_show(DOCTOR, c.id)

    assert marked.status is Status.NO_SHOW
    assert world.store.event_types()[-1] == "consultation.no_show"


# -- refusals -----------------------------------------------------------------------------------


def test_someone_elses_consultation_does_not_exist_for_them(world):
    c = world.confirmed()

    with pytest.raises(ConsultationNotFound):
        world.consultations.get(OTHER_PATIENT, c.id)
    with pytest.raises(ConsultationNotFound):
        world.consultations.cancel(STRANGER, c.id, None)
    assert world.now(c).status is Status.CONFIRMED


def test_the_patient_cannot_do_what_only_the_doctor_does(world):
    c = world.confirmed()
    world.clock.now = TOMORROW_TEN

    with pytest.raises(NotYourAction):
        world.consultations.start(PATIENT, c.id)
    assert world.now(c).status is Status.CONFIRMED


def test_an_action_its_state_does_not_allow_is_a_conflict_naming_that_state(world):
    c = world.book()
    commits = world.store.commits

    with pytest.raises(IllegalTransition) as refused:
        world.consultations.complete(DOCTOR, c.id, ClinicalSummary(notes="—"))

    assert refused.value.current == "pending_payment"
    assert world.store.commits == commits
