import pytest

from chalicelib.contacts import Contact
from chalicelib.delivery import (
    MAX_ATTEMPTS,
    DeliveryIncomplete,
    PermanentFailure,
    TransientFailure,
)
from chalicelib.preferences import Preferences

from .fakes import at, event, world

SLOT = at("2030-03-04T09:00:00")
PATIENT = Contact(
    user_id="p-1", full_name="Awa Traoré", role="patient", phone="+22376000001",
    phone_verified=True, email="awa@example.ml", language="en",
)
DOCTOR = Contact(user_id="d-1", full_name="Moussa Sidibé", role="doctor", phone="+22366000002",
                 phone_verified=True)


def confirmed():
    return event(
        "consultation.confirmed",
        {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1",
         "starts_at": SLOT.isoformat()},
    )


def otp(phone="+22376000009"):
    return event(
        "auth.otp_requested",
        {"phone": phone, "purpose": "verify_phone", "code": "654321",
         "expires_at": "2030-01-01T10:10:00Z", "language": "fr"},
    )


def test_a_confirmation_reaches_both_people_on_every_channel_in_their_language():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))

    w.dispatcher.handle(confirmed())

    [patient_item] = w.inbox.of("p-1")
    assert patient_item.body.startswith("Your consultation with Dr Moussa Sidibé on Monday 4 March")
    [frame] = w.sockets.to("p-1")
    assert frame["type"] == "notification" and frame["unread"] == 1
    assert frame["notification"]["id"] == patient_item.id
    assert [t.phone for t, _, _ in w.sms.sent] == ["+22376000001", "+22366000002"]
    assert [t.email for t, _, _ in w.email.sent] == ["awa@example.ml"]  # the doctor has none
    assert w.deliveries.status(patient_item.id, "in_app") == "delivered"
    doctor_item = w.inbox.of("d-1")[0]
    assert w.deliveries.status(doctor_item.id, "in_app") == "stored"  # no socket open
    assert w.deliveries.status(doctor_item.id, "email") == "skipped"


def test_handling_the_same_event_again_sends_nothing_twice():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))
    once = confirmed()

    w.dispatcher.handle(once)
    w.dispatcher.handle(once)

    assert len(w.sms.sent) == 2
    assert len(w.email.sent) == 1
    assert len(w.sockets.to("p-1")) == 1
    assert len(w.inbox.items) == 2


def test_a_channel_turned_off_is_skipped_and_the_inbox_still_gets_it():
    quiet = Preferences().changed({"appointments": {"sms": False, "in_app": False}})
    w = world(PATIENT, DOCTOR, preferences={"p-1": quiet}, sockets_open_for=("p-1",))

    w.dispatcher.handle(confirmed())

    assert [t.user_id for t, _, _ in w.sms.sent] == ["d-1"]
    [item] = w.inbox.of("p-1")
    assert w.deliveries.entries[(item.id, "sms")].reason == "preference"
    # Not popped up, but the badge counts it.
    assert w.sockets.to("p-1") == [{"type": "unread_count", "unread": 1}]


def test_an_unverified_number_gets_no_everyday_sms_but_gets_security_messages():
    unverified = Contact(user_id="p-1", phone="+22376000001", phone_verified=False)
    w = world(unverified, DOCTOR)

    w.dispatcher.handle(confirmed())
    w.dispatcher.handle(
        event("auth.password_changed", {"user_id": "p-1", "how": "changed"})
    )

    sent_to_patient = [n.kind for t, _, n in w.sms.sent if t.user_id == "p-1"]
    assert sent_to_patient == ["password.changed"]


def test_a_code_goes_only_by_sms_to_the_number_asked_and_never_into_an_inbox():
    w = world()

    w.dispatcher.handle(otp())

    [(target, message, _)] = w.sms.sent
    assert target.phone == "+22376000009"
    assert message.sms.startswith("654321 est votre code Keneya")
    assert w.inbox.items == {}
    assert w.email.sent == [] and w.push.sent == []


def test_a_transient_failure_asks_for_a_retry_of_that_channel_only():
    w = world(PATIENT, DOCTOR)
    w.sms.failures = [TransientFailure("Throttling")]
    once = confirmed()

    with pytest.raises(DeliveryIncomplete) as incomplete:
        w.dispatcher.handle(once)
    w.dispatcher.handle(once)  # the queue hands it back later

    assert len(incomplete.value.pending) == 1 and incomplete.value.pending[0].endswith("/sms")
    assert sorted(t.user_id for t, _, _ in w.sms.sent) == ["d-1", "p-1"]
    assert len(w.email.sent) == 1
    patient_item = w.inbox.of("p-1")[0]
    assert w.deliveries.entries[(patient_item.id, "sms")].attempts == 2


def test_a_channel_that_keeps_failing_is_recorded_failed_and_the_event_let_go():
    w = world(PATIENT, DOCTOR)
    w.email.failures = [TransientFailure("ServiceUnavailable")] * MAX_ATTEMPTS
    once = confirmed()

    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(DeliveryIncomplete):
            w.dispatcher.handle(once)
    w.dispatcher.handle(once)

    patient_item = w.inbox.of("p-1")[0]
    entry = w.deliveries.entries[(patient_item.id, "email")]
    assert (entry.status, entry.attempts) == ("failed", MAX_ATTEMPTS)
    assert entry.reason == "ServiceUnavailable"
    assert w.email.sent == []


def test_a_permanent_failure_is_recorded_and_not_retried():
    w = world(PATIENT, DOCTOR)
    w.email.failures = [PermanentFailure("MessageRejected")]

    w.dispatcher.handle(confirmed())

    patient_item = w.inbox.of("p-1")[0]
    assert w.deliveries.status(patient_item.id, "email") == "failed"


def test_the_names_in_a_text_come_from_what_the_service_learned():
    w = world()

    w.dispatcher.handle(
        event("user.registered", {"user_id": "d-1", "role": "doctor", "full_name": "Oumar Keïta",
                                  "language": "fr"})
    )
    w.dispatcher.handle(
        event("user.registered", {"user_id": "p-1", "role": "patient", "full_name": "Awa",
                                  "language": "en"})
    )
    w.dispatcher.handle(confirmed())

    patient_item = next(i for i in w.inbox.of("p-1") if i.kind == "consultation.confirmed")
    doctor_item = next(i for i in w.inbox.of("d-1") if i.kind == "consultation.confirmed.doctor")
    assert "Dr Oumar Keïta" in patient_item.body and patient_item.title == "Consultation confirmed"
    assert doctor_item.body.startswith("Awa a réservé")


def test_the_language_chosen_in_preferences_wins_over_the_account_one():
    french = Preferences(language="fr")
    w = world(PATIENT, DOCTOR, preferences={"p-1": french})

    w.dispatcher.handle(confirmed())

    assert w.inbox.of("p-1")[0].title == "Consultation confirmée"
