from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from keneya.clock import scheduled_time, utc_now


def test_a_schedule_runs_as_of_its_event_time_in_utc():
    # given a scheduled event as EventBridge sends it (a dict) and as Chalice wraps it
    raw = {"time": "2026-03-01T09:05:00Z"}
    wrapped = SimpleNamespace(time="2026-03-01T10:05:00+01:00")

    # then both name the same moment, in UTC
    expected = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert scheduled_time(raw) == expected
    assert scheduled_time(wrapped) == expected
    assert scheduled_time(wrapped).tzinfo == UTC


def test_a_schedule_without_a_time_runs_as_of_now():
    before = utc_now()

    moment = scheduled_time({})

    assert before <= moment <= utc_now() + timedelta(seconds=1)
