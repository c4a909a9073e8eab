"""The consultation lifecycle as pure rules: transitions, windows, refunds, timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import lifecycle
from chalicelib.agenda import Hold, PatientAgenda
from chalicelib.clinical import ClinicalSummary, Diagnosis, Prescription
from chalicelib.doctors import Doctor
from chalicelib.errors import (
    DoctorNotBookable,
    IllegalTransition,
    NotASlot,
    OutsideWindow,
    PatientBusy,
)
from chalicelib.lifecycle import TRANSITIONS, Actor, Consultation, PaymentNotApplicable, Status
from chalicelib.policy import Policy

POLICY = Policy()
# Monday 3 March 2031, 08:00 in Bamako (UTC+0).
NOW = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
TOMORROW_TEN = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)
PATIENT, DOCTOR, ADMIN = Actor("p1", "patient"), Actor("d1", "doctor"), Actor("a1", "admin")


def a_doctor(fee_xof: int = 5000) -> Doctor:
    return Doctor("d1", full_name="Dr Awa Diallo").apply(
        "doctor.verified",
        {
            "doctor_id": "d1",
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


def book(
    fee_xof: int = 5000,
    starts_at: datetime = TOMORROW_TEN,
    now: datetime = NOW,
    agenda: PatientAgenda | None = None,
) -> lifecycle.Change:
    return lifecycle.book(
        consultation_id="c1",
        patient_id="p1",
        doctor=a_doctor(fee_xof),
        starts_at=starts_at,
        reason="Fièvre depuis trois jours",
        mode="video",
        agenda=agenda or PatientAgenda("p1"),
        now=now,
        policy=POLICY,
    )


def pending() -> Consultation:
    return book().after


def confirmed(starts_at: datetime = TOMORROW_TEN) -> Consultation:
    c = book(starts_at=starts_at).after
    change = lifecycle.confirm_payment(
        c, payment_id="pay1", amount_xof=5000, payer_id="p1", now=NOW, policy=POLICY
    )
    assert change is not None
    return change.after


def started() -> Consultation:
    return lifecycle.start(confirmed(), room_id="room1", now=TOMORROW_TEN, policy=POLICY).after


def types(change: lifecycle.Change | None) -> list[str]:
    return [e.type for e in change.events] if change else []


# -- booking --------------------------------------------------------------------------------


def test_a_paid_booking_waits_fifteen_minutes_for_payment_holding_the_slot():
    change = book()

    assert change.after.status is Status.PENDING_PAYMENT
    assert change.after.payment_due_at == NOW + timedelta(minutes=15)
    assert (change.after.fee_xof, change.after.doctor_name) == (5000, "Dr Awa Diallo")
    assert (change.doctor_time, change.patient_time) == ("hold", "hold")
    assert types(change) == ["consultation.booked"]
    assert change.events[0].data["status"] == "pending_payment"


def test_a_free_booking_is_confirmed_at_once_with_its_reminders_planned():
    change = book(fee_xof=0)

    assert change.after.status is Status.CONFIRMED
    assert change.after.payment_due_at is None
    assert change.after.reminders_planned == (1440, 60)
    assert types(change) == ["consultation.booked", "consultation.confirmed"]


@pytest.mark.parametrize(
    ("starts_at", "why"),
    [
        (TOMORROW_TEN + timedelta(minutes=10), "not_in_schedule"),
        (NOW + timedelta(minutes=0), "too_soon"),
        (NOW + timedelta(days=91), "too_far"),
    ],
)
def test_a_time_that_is_not_a_bookable_slot_is_refused(starts_at, why):
    with pytest.raises(NotASlot) as refused:
        book(starts_at=starts_at)

    assert refused.value.why == why


def test_an_unverified_or_suspended_doctor_cannot_be_booked():
    suspended = a_doctor().apply(
        "doctor.suspended", {"doctor_id": "d1", "revision": 2, "status": "suspended"}, NOW
    )
    with pytest.raises(DoctorNotBookable):
        lifecycle.book(
            consultation_id="c1",
            patient_id="p1",
            doctor=suspended,
            starts_at=TOMORROW_TEN,
            reason="x" * 5,
            mode="audio",
            agenda=PatientAgenda("p1"),
            now=NOW,
            policy=POLICY,
        )


def test_a_patient_cannot_hold_two_overlapping_consultations():
    agenda = PatientAgenda("p1").holding(
        Hold("other", TOMORROW_TEN - timedelta(minutes=15), TOMORROW_TEN + timedelta(minutes=15)),
        NOW,
    )

    with pytest.raises(PatientBusy) as refused:
        book(agenda=agenda)

    assert refused.value.consultation_id == "other"


# -- the transition table -------------------------------------------------------------------


def test_only_the_table_s_transitions_exist():
    reachable = {(a, b) for moves in TRANSITIONS.values() for a, b in moves.items()}

    assert reachable == {
        (Status.PENDING_PAYMENT, Status.CONFIRMED),
        (Status.EXPIRED, Status.CONFIRMED),
        (Status.EXPIRED, Status.CANCELLED),
        (Status.PENDING_PAYMENT, Status.EXPIRED),
        (Status.PENDING_PAYMENT, Status.CANCELLED),
        (Status.CONFIRMED, Status.CANCELLED),
        (Status.CONFIRMED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.COMPLETED),
        (Status.CONFIRMED, Status.NO_SHOW),
        (Status.IN_PROGRESS, Status.NO_SHOW),
    }


@pytest.mark.parametrize(
    "status",
    [Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW, Status.EXPIRED, Status.IN_PROGRESS],
)
def test_cancelling_outside_pending_or_confirmed_is_illegal_and_names_the_state(status):
    c = confirmed().model_copy(update={"status": status})

    with pytest.raises(IllegalTransition) as refused:
        lifecycle.cancel(c, by=DOCTOR, note=None, now=NOW, policy=POLICY)

    assert refused.value.current == status.value


def test_starting_twice_or_completing_before_starting_is_illegal():
    with pytest.raises(IllegalTransition):
        lifecycle.start(started(), room_id="r2", now=TOMORROW_TEN, policy=POLICY)
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.complete(confirmed(), summary=ClinicalSummary(), now=TOMORROW_TEN)
    assert refused.value.current == "confirmed"


# -- payments -------------------------------------------------------------------------------


def test_a_payment_confirms_a_pending_booking_once():
    c = pending()

    change = lifecycle.confirm_payment(
        c, payment_id="pay1", amount_xof=5000, payer_id="p1", now=NOW, policy=POLICY
    )
    again = lifecycle.confirm_payment(
        change.after, payment_id="pay1", amount_xof=5000, payer_id="p1", now=NOW, policy=POLICY
    )

    assert change.after.status is Status.CONFIRMED and change.after.payment_id == "pay1"
    assert types(change) == ["consultation.confirmed"]
    assert again is None


@pytest.mark.parametrize(("amount", "payer"), [(4000, "p1"), (5000, "someone-else")])
def test_a_payment_of_another_amount_or_payer_confirms_nothing(amount, payer):
    with pytest.raises(PaymentNotApplicable):
        lifecycle.confirm_payment(
            pending(), payment_id="pay1", amount_xof=amount, payer_id=payer, now=NOW, policy=POLICY
        )


def test_a_failed_payment_expires_the_booking_and_releases_its_time():
    change = lifecycle.fail_payment(pending(), now=NOW)

    assert change.after.status is Status.EXPIRED
    assert (change.doctor_time, change.patient_time) == ("release", "release")
    assert types(change) == ["consultation.expired"]


def test_a_late_payment_takes_the_time_back_or_is_refunded():
    expired = lifecycle.fail_payment(pending(), now=NOW).after

    revived = lifecycle.confirm_payment(
        expired, payment_id="pay1", amount_xof=5000, payer_id="p1", now=NOW, policy=POLICY
    )
    refused = lifecycle.refuse_late_payment(expired, payment_id="pay1", now=NOW)

    assert revived.after.status is Status.CONFIRMED and revived.doctor_time == "hold"
    assert refused.after.status is Status.CANCELLED
    assert refused.events[0].data["refund_due"] is True
    assert refused.events[0].data["reason"] == "paid_after_expiry"
    assert refused.events[0].data["payment_id"] == "pay1"


def test_a_payment_after_a_cancellation_is_owed_back():
    cancelled = lifecycle.cancel(pending(), by=PATIENT, note=None, now=NOW, policy=POLICY).after
    assert cancelled.refund_due is False

    change = lifecycle.confirm_payment(
        cancelled, payment_id="pay9", amount_xof=5000, payer_id="p1", now=NOW, policy=POLICY
    )

    assert change.after.status is Status.CANCELLED and change.after.refund_due is True
    assert change.events[0].data["payment_id"] == "pay9"


# -- cancellation and refunds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "before_start", "refund"),
    [
        (PATIENT, timedelta(hours=3), True),
        (PATIENT, timedelta(hours=1), False),
        (DOCTOR, timedelta(minutes=5), True),
        (ADMIN, timedelta(minutes=5), True),
    ],
)
def test_the_refund_rule_of_a_paid_consultation(who, before_start, refund):
    c = confirmed()

    change = lifecycle.cancel(
        c, by=who, note="empêchement", now=c.starts_at - before_start, policy=POLICY
    )

    assert change.after.status is Status.CANCELLED
    assert change.after.refund_due is refund
    assert change.events[0].data["refund_due"] is refund
    assert change.events[0].data["cancelled_by"] == who.role
    assert (change.doctor_time, change.patient_time) == ("release", "release")


def test_the_patient_is_told_until_when_a_cancellation_is_refunded():
    c = confirmed()

    deadline = lifecycle.patient_refund_deadline(c, POLICY)

    assert deadline == c.starts_at - POLICY.patient_refund_notice
    # the deadline people are shown is the one the cancellation applies, to the second
    at_deadline = lifecycle.cancel(c, by=PATIENT, note=None, now=deadline, policy=POLICY)
    after = lifecycle.cancel(
        c, by=PATIENT, note=None, now=deadline + timedelta(seconds=1), policy=POLICY
    )
    assert (at_deadline.after.refund_due, after.after.refund_due) == (True, False)
    assert lifecycle.patient_refund_deadline(pending(), POLICY) is None


def test_nothing_is_refunded_when_nothing_was_paid():
    change = lifecycle.cancel(pending(), by=DOCTOR, note=None, now=NOW, policy=POLICY)

    assert change.after.refund_due is False


def test_a_patient_cannot_cancel_once_started_until_the_doctor_is_late():
    c = confirmed()

    with pytest.raises(OutsideWindow):
        lifecycle.cancel(
            c, by=PATIENT, note=None, now=c.starts_at + timedelta(minutes=5), policy=POLICY
        )
    late = lifecycle.cancel(
        c, by=PATIENT, note=None, now=c.starts_at + timedelta(minutes=16), policy=POLICY
    )

    assert late.after.cancellation_reason == "doctor_absent" and late.after.refund_due is True


# -- the teleconsultation -------------------------------------------------------------------


def test_the_doctor_starts_within_the_window_and_the_session_is_announced():
    c = confirmed()

    with pytest.raises(OutsideWindow) as early:
        lifecycle.start(c, room_id="r1", now=c.starts_at - timedelta(minutes=11), policy=POLICY)
    change = lifecycle.start(
        c, room_id="r1", now=c.starts_at - timedelta(minutes=10), policy=POLICY
    )

    assert early.value.opens_at == c.starts_at - timedelta(minutes=10)
    assert change.after.status is Status.IN_PROGRESS and change.after.room_id == "r1"
    assert change.events[0].type == "consultation.started"
    assert change.events[0].data["room_id"] == "r1"


def test_joining_needs_an_open_session_and_records_the_patient_once():
    with pytest.raises(IllegalTransition):
        lifecycle.join(confirmed(), by=PATIENT, now=TOMORROW_TEN)
    c = started()

    first = lifecycle.join(c, by=PATIENT, now=TOMORROW_TEN)
    again = lifecycle.join(first.after, by=PATIENT, now=TOMORROW_TEN + timedelta(minutes=3))

    assert first.after.patient_joined_at == TOMORROW_TEN
    assert again is None
    assert lifecycle.join(c, by=DOCTOR, now=TOMORROW_TEN) is None


def test_completion_carries_the_clinical_summary_to_the_record():
    summary = ClinicalSummary(
        notes="Paludisme simple",
        diagnoses=[Diagnosis(code="b54", label="Paludisme")],
        prescriptions=[
            Prescription(
                medicine="Artéméther-luméfantrine",
                dose="4 comprimés",
                route="orale",
                frequency="2 fois par jour",
                duration="3 jours",
            )
        ],
        follow_up="Contrôle dans 7 jours",
    )

    change = lifecycle.complete(started(), summary=summary, now=TOMORROW_TEN)

    assert change.after.status is Status.COMPLETED
    data = change.events[0].data
    assert data["reason"] == "Fièvre depuis trois jours"
    assert data["diagnoses"] == [{"code": "B54", "label": "Paludisme"}]
    assert data["prescriptions"][0]["medicine"] == "Artéméther-luméfantrine"


def test_no_show_only_after_the_start_and_only_if_the_patient_never_joined():
    c = confirmed()
    with pytest.raises(OutsideWindow):
        lifecycle.mark_no_show(c, now=c.starts_at - timedelta(minutes=1))
    joined = lifecycle.join(started(), by=PATIENT, now=TOMORROW_TEN).after
    with pytest.raises(IllegalTransition):
        lifecycle.mark_no_show(joined, now=TOMORROW_TEN + timedelta(minutes=5))

    change = lifecycle.mark_no_show(c, now=c.starts_at + timedelta(minutes=1))

    assert change.after.status is Status.NO_SHOW
    assert types(change) == ["consultation.no_show"]


# -- what time does -------------------------------------------------------------------------


def test_an_unpaid_booking_expires_at_its_deadline_not_before():
    c = pending()

    assert lifecycle.on_timer(c, as_of=NOW + timedelta(minutes=14)) is None
    change = lifecycle.on_timer(c, as_of=NOW + timedelta(minutes=15))

    assert change.after.status is Status.EXPIRED
    assert lifecycle.next_timer(change.after) is None


def test_each_reminder_fires_once_at_its_time():
    c = confirmed()
    assert lifecycle.next_timer(c) == lifecycle.Timer(c.starts_at - timedelta(hours=24), "remind")

    early = lifecycle.on_timer(c, as_of=c.starts_at - timedelta(hours=25))
    day = lifecycle.on_timer(c, as_of=c.starts_at - timedelta(hours=23))
    repeat = lifecycle.on_timer(day.after, as_of=c.starts_at - timedelta(hours=22))
    hour = lifecycle.on_timer(day.after, as_of=c.starts_at - timedelta(minutes=59))

    assert early is None and repeat is None
    assert [e.data["minutes_before"] for e in day.events] == [1440]
    assert [e.data["minutes_before"] for e in hour.events] == [60]
    assert lifecycle.next_timer(hour.after) is None


def test_a_late_sweep_sends_only_the_nearest_reminder():
    c = confirmed()

    change = lifecycle.on_timer(c, as_of=c.starts_at - timedelta(minutes=30))

    assert [e.data["minutes_before"] for e in change.events] == [60]
    assert set(change.after.reminders_sent) == {1440, 60}


def test_a_consultation_booked_three_hours_ahead_gets_only_the_one_hour_reminder():
    c = confirmed(starts_at=NOW + timedelta(hours=3))

    assert c.reminders_planned == (60,)
