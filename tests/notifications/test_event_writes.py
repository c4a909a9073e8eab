"""When an event's handling writes what it reached, and when it marks the event applied."""

import pytest

from chalicelib.contacts import Contact
from chalicelib.delivery import DeliveryIncomplete, TransientFailure

from .fakes import at, event, world

PATIENT = Contact(user_id="p-1", full_name="Awa Traoré", phone="+22376000001",
                  phone_verified=True, language="fr")
DOCTOR = Contact(user_id="d-1", full_name="Moussa Sidibé")


def reminder():
    return event(
        "consultation.reminder_due",
        {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "d-1",
         "starts_at": at("2030-03-04T09:00:00").isoformat(), "minutes_before": 60},
    )


def test_a_handled_event_is_written_once_at_its_end_and_marked_applied():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))

    w.dispatcher.handle(reminder())

    assert w.writes.commits == [True]
    assert w.writes.open_scopes == 0


def test_an_event_with_a_channel_to_retry_is_written_but_not_marked_applied():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))
    w.sms.failures = [TransientFailure("throttled")]

    with pytest.raises(DeliveryIncomplete):
        w.dispatcher.handle(reminder())

    # the popped-up notification is recorded; the event comes back for the SMS only
    assert w.writes.commits == [False]
    [item] = w.inbox.of("p-1")
    assert w.deliveries.status(item.id, "in_app") == "delivered"


def test_what_was_reached_before_a_failure_is_still_written():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))

    def broken(*_args):
        raise RuntimeError("the SMS provider's client blew up")

    w.sms.send = broken  # type: ignore[method-assign]

    with pytest.raises(RuntimeError):
        w.dispatcher.handle(reminder())

    assert w.writes.commits == [False]


def test_each_event_of_a_batch_is_written_at_its_own_end():
    w = world(PATIENT, DOCTOR, sockets_open_for=("p-1",))

    with w.writes.scope():  # the batch
        w.dispatcher.handle(reminder())
        w.dispatcher.handle(reminder())
        assert w.writes.commits == [True, True]
