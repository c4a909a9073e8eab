"""Someone comes into a consultation's call: the other participant is told, in the app and by
push only, once for a burst of reconnections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.calls import QUIET_AFTER_ANNOUNCING, ConsultationUnknown
from chalicelib.contacts import Contact
from chalicelib.delivery import DeliveryIncomplete, TransientFailure
from chalicelib.triggers import react

from .fakes import at, event, world

T0 = at("2030-03-04T09:00:00")
PATIENT = Contact(
    user_id="p-1", full_name="Awa Traoré", role="patient", phone="+22376000001",
    phone_verified=True, email="awa@example.ml", language="fr",
)
DOCTOR = Contact(
    user_id="d-1", full_name="Moussa Sidibé", role="doctor", phone="+22366000002",
    phone_verified=True, email="moussa@example.ml", language="en",
)


def started():
    return event(
        "consultation.started",
        {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1", "room_id": "r-1",
         "mode": "video", "started_at": T0.isoformat()},
        source="consultations",
    )


def joined(role: str, after: timedelta = timedelta(0), user_id: str | None = None):
    return event(
        "call.joined",
        {"consultation_id": "c-1", "user_id": user_id or f"{role[0]}-1", "role": role,
         "joined_at": (T0 + after).isoformat()},
        source="signaling",
    )


def call_world(*contacts: Contact, **options):
    w = world(*(contacts or (PATIENT, DOCTOR)), **options)
    w.dispatcher.handle(started())
    w.inbox.items.clear()  # keep only what the call causes
    w.push.sent.clear()
    w.sms.sent.clear()
    w.email.sent.clear()
    w.sockets.frames.clear()
    return w


def arrivals(w, user_id: str) -> list:
    return [item for item in w.inbox.of(user_id) if item.kind.startswith("call.joined")]


def test_the_doctor_coming_in_tells_the_patient_in_the_app_and_by_push_with_the_room_link():
    w = call_world(sockets_open_for=("p-1",))

    w.dispatcher.handle(joined("doctor"))

    [item] = arrivals(w, "p-1")
    assert item.body == "Le Dr Moussa Sidibé a rejoint la consultation."
    assert item.link == {"consultation_id": "c-1", "url": "/consultations/c-1/call"}
    [frame] = w.sockets.to("p-1")
    assert frame["notification"]["id"] == item.id
    assert [(t.user_id, m.body) for t, m, _ in w.push.sent] == [("p-1", item.body)]
    assert w.sms.sent == [] and w.email.sent == []
    assert arrivals(w, "d-1") == []


def test_the_patient_coming_in_tells_the_doctor_who_is_waiting_in_their_language():
    w = call_world()

    w.dispatcher.handle(joined("patient"))

    [item] = arrivals(w, "d-1")
    assert item.body == "Your patient Awa Traoré is waiting in the consultation room."
    assert item.kind == "call.joined.doctor"
    assert w.sms.sent == [] and w.email.sent == []


def test_in_french_the_doctor_reads_that_the_patient_is_in_the_waiting_room():
    w = call_world(PATIENT, Contact(user_id="d-1", full_name="Moussa Sidibé", language="fr"))

    w.dispatcher.handle(joined("patient"))

    [item] = arrivals(w, "d-1")
    assert item.body == (
        "Votre patient(e) Awa Traoré est dans la salle d'attente de la consultation."
    )


def test_without_a_known_name_the_text_still_reads_well():
    w = call_world(Contact(user_id="p-1", language="fr"), Contact(user_id="d-1", language="fr"))

    w.dispatcher.handle(joined("doctor"))
    w.dispatcher.handle(joined("patient"))

    assert [i.body for i in arrivals(w, "p-1")] == ["Votre médecin a rejoint la consultation."]
    assert [i.body for i in arrivals(w, "d-1")] == [
        "Votre patient(e) est dans la salle d'attente de la consultation."
    ]


def test_reconnections_within_a_few_minutes_are_announced_once():
    w = call_world()

    w.dispatcher.handle(joined("patient"))
    w.dispatcher.handle(joined("patient", timedelta(minutes=1)))
    w.dispatcher.handle(joined("patient", QUIET_AFTER_ANNOUNCING - timedelta(seconds=1)))
    w.dispatcher.handle(joined("doctor", timedelta(minutes=2)))  # the other person: told

    assert len(arrivals(w, "d-1")) == 1
    assert len(arrivals(w, "p-1")) == 1
    assert len(w.push.sent) == 2


def test_coming_back_after_the_quiet_time_is_announced_again():
    w = call_world()

    w.dispatcher.handle(joined("patient"))
    w.dispatcher.handle(joined("patient", QUIET_AFTER_ANNOUNCING))

    assert len(arrivals(w, "d-1")) == 2


def test_an_older_arrival_handled_late_is_kept_quiet():
    w = call_world()

    w.dispatcher.handle(joined("patient", timedelta(minutes=30)))
    w.dispatcher.handle(joined("patient"))

    assert len(arrivals(w, "d-1")) == 1


def test_the_same_event_handled_again_finishes_its_push_and_tells_nobody_twice():
    w = call_world()
    w.push.failures = [TransientFailure("Throttling")]
    once = joined("doctor")

    with pytest.raises(DeliveryIncomplete):
        w.dispatcher.handle(once)
    w.dispatcher.handle(once)  # the queue hands it back later
    w.dispatcher.handle(once)

    assert len(arrivals(w, "p-1")) == 1
    assert len(w.push.sent) == 1


def test_an_arrival_in_a_consultation_not_known_yet_is_retried_until_it_is():
    w = world(PATIENT, DOCTOR)
    early = joined("doctor")

    with pytest.raises(ConsultationUnknown):
        w.dispatcher.handle(early)
    w.dispatcher.handle(started())
    w.dispatcher.handle(early)

    assert len(arrivals(w, "p-1")) == 1


def test_an_arrival_of_someone_not_in_that_role_tells_nobody():
    w = call_world()

    w.dispatcher.handle(joined("doctor", user_id="p-1"))
    w.dispatcher.handle(joined("patient", user_id="x-9"))

    assert w.inbox.items == {} and w.push.sent == []


def test_leaving_the_call_tells_nobody():
    left = event(
        "call.left",
        {"consultation_id": "c-1", "user_id": "d-1", "role": "doctor",
         "joined_at": T0.isoformat(), "left_at": (T0 + timedelta(minutes=3)).isoformat(),
         "duration_seconds": 180, "reason": "left"},
        source="signaling",
    )

    reaction = react(left)

    assert reaction.notices == [] and reaction.arrivals == []


def test_a_booking_teaches_the_participants_so_an_arrival_can_be_announced():
    w = world(PATIENT, DOCTOR)
    w.dispatcher.handle(
        event(
            "consultation.booked",
            {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1",
             "starts_at": T0.isoformat(), "ends_at": (T0 + timedelta(minutes=30)).isoformat(),
             "mode": "video", "fee_xof": 0, "status": "confirmed"},
        )
    )

    w.dispatcher.handle(joined("patient"))

    assert len(arrivals(w, "d-1")) == 1
