from datetime import timedelta

from chalicelib.triggers import react

from .fakes import at, event

SLOT = at("2030-03-04T09:00:00")
CONSULTATION = {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1"}


def test_a_code_request_is_one_sms_to_the_phone_asked_never_stored():
    requested = event(
        "auth.otp_requested",
        {"user_id": "p-1", "phone": "+22376000001", "purpose": "verify_phone", "code": "123456",
         "expires_at": (at("2030-01-01T10:00:00") + timedelta(minutes=10)).isoformat(),
         "language": "en"},
        source="auth",
    )

    [notice] = react(requested).notices

    assert notice.channels == ("sms",)
    assert notice.phone == "+22376000001"
    assert notice.language == "en"
    assert not notice.in_inbox
    assert notice.secret
    assert notice.category == "security"


def test_registration_welcomes_the_person_and_teaches_how_to_reach_them():
    registered = event(
        "user.registered",
        {"user_id": "p-1", "role": "patient", "full_name": "Awa Traoré",
         "phone": "+22376000001", "email": "awa@example.ml", "language": "fr"},
    )

    reaction = react(registered)

    assert [n.kind for n in reaction.notices] == ["welcome.patient"]
    assert reaction.facts[0].phone == "+22376000001"
    assert reaction.facts[0].full_name == "Awa Traoré"


def test_a_confirmation_tells_the_patient_and_the_doctor_each_their_own_words():
    confirmed = event(
        "consultation.confirmed", {**CONSULTATION, "starts_at": SLOT.isoformat(),
                                   "doctor_name": "Moussa Sidibé"}
    )

    patient, doctor = react(confirmed).notices

    assert (patient.user_id, patient.kind) == ("p-1", "consultation.confirmed")
    assert (doctor.user_id, doctor.kind) == ("d-1", "consultation.confirmed.doctor")
    assert patient.known_names == {"doctor": "Moussa Sidibé"}
    assert patient.link == {"consultation_id": "c-1"}
    assert patient.id != doctor.id


def test_a_free_booking_says_nothing_because_its_confirmation_follows():
    booked = event(
        "consultation.booked",
        {**CONSULTATION, "starts_at": SLOT.isoformat(),
         "ends_at": (SLOT + timedelta(minutes=30)).isoformat(), "mode": "video", "fee_xof": 0,
         "status": "confirmed"},
    )

    assert react(booked).notices == []


def test_a_redelivered_event_yields_the_same_notice_ids_and_another_event_new_ones():
    confirmed = event("consultation.confirmed", {**CONSULTATION, "starts_at": SLOT.isoformat()})
    # As SQS hands it over again: the same message, read anew from its JSON.
    redelivered = type(confirmed).model_validate_json(confirmed.model_dump_json())
    another = event("consultation.confirmed", {**CONSULTATION, "starts_at": SLOT.isoformat()})

    first = [n.id for n in react(confirmed).notices]

    assert [n.id for n in react(redelivered).notices] == first
    assert not set(n.id for n in react(another).notices) & set(first)


def test_notice_ids_sort_by_the_time_of_their_event():
    earlier = event("consultation.confirmed", {**CONSULTATION, "starts_at": SLOT.isoformat()})
    later = event("consultation.confirmed", {**CONSULTATION, "starts_at": SLOT.isoformat()})
    later = later.model_copy(update={"occurred_at": earlier.occurred_at + timedelta(seconds=1)})

    assert react(earlier).notices[0].id < react(later).notices[0].id


def test_a_cancellation_by_the_doctor_tells_only_the_patient():
    cancelled = event(
        "consultation.cancelled",
        {**CONSULTATION, "cancelled_by": "doctor", "refund_due": True, "fee_xof": 10000},
    )

    assert [n.user_id for n in react(cancelled).notices] == ["p-1"]


def test_a_suspended_doctors_patients_are_told_why_their_consultation_is_cancelled():
    cancelled = event(
        "consultation.cancelled",
        {**CONSULTATION, "cancelled_by": "admin", "reason": "doctor_suspended",
         "refund_due": True, "fee_xof": 10000},
    )

    kinds = {n.user_id: n.kind for n in react(cancelled).notices}

    assert kinds == {"p-1": "consultation.cancelled.doctor_suspended",
                     "d-1": "consultation.cancelled.doctor"}


def test_a_completed_consultation_carries_no_clinical_content_into_the_notice():
    completed = event(
        "consultation.completed",
        {**CONSULTATION, "completed_at": SLOT.isoformat(), "reason": "fièvre",
         "notes": "paludisme suspecté", "diagnoses": [{"code": "B54", "label": "Paludisme"}]},
    )

    [notice] = react(completed).notices

    assert "fièvre" not in str(notice) and "B54" not in str(notice)


def test_a_record_change_made_by_the_patient_needs_no_telling():
    by_patient = event("record.updated", {"patient_id": "p-1", "cause": "patient"})
    after_consultation = event(
        "record.updated", {"patient_id": "p-1", "cause": "consultation", "consultation_id": "c-1"}
    )

    assert react(by_patient).notices == []
    assert [n.kind for n in react(after_consultation).notices] == ["record.updated"]


def test_a_payment_notice_goes_to_the_payer_with_the_amount():
    paid = event(
        "payment.succeeded",
        {"payment_id": "pay-1", "consultation_id": "c-1", "payer_id": "p-1",
         "amount_xof": 15000, "provider": "moov_money"},
    )

    [notice] = react(paid).notices

    assert notice.user_id == "p-1"
    assert notice.values == {"amount_xof": 15000, "provider": "moov_money"}
    assert notice.category == "payments"


def test_an_event_the_service_does_not_handle_does_nothing():
    assert react(event("doctor.suspended", {"doctor_id": "d-1"})).notices == []
