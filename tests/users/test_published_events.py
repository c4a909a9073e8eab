"""The events a change causes, checked against the catalogue by `new_event` itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chalicelib.published_events import events_for
from chalicelib.schedules import build_availability
from keneya.events import parse_event

from .profiles_to_start_from import doctor, patient


def kinds(events) -> list[str]:
    return [event.type for event in events]


def test_verification_announces_the_whole_booking_snapshot_with_the_new_revision(clock):
    schedule = build_availability(
        {
            "slot_minutes": 20,
            "weekly": {"tue": [{"start": "08:00", "end": "12:00"}]},
            "exceptions": [
                {"day": "2031-03-01", "available": False},
                {"day": "2031-03-04", "available": False},
            ],
        },
        clock.now().replace(month=2),
    )
    before = doctor(availability=schedule, revision=4)
    after = replace(before, status="verified", revision=5)

    [event] = events_for(before, after, ["status"], clock.now())

    assert event.type == "doctor.verified"
    assert event.data == {
        "doctor_id": before.user_id,
        "revision": 5,
        "status": "verified",
        "full_name": "Moussa Diarra",
        "specialty": "cardiology",
        "fee_xof": 15000,
        "time_zone": "Africa/Bamako",
        "slot_minutes": 20,
        "weekly": {"tue": [{"start": "08:00", "end": "12:00"}]},
        # 1 March is past on 3 March: only what can still be booked is sent.
        "exceptions": [{"day": "2031-03-04", "available": False, "ranges": []}],
    }
    assert parse_event(event.to_json()) == event


def test_a_doctor_without_a_schedule_is_announced_with_no_schedule(clock):
    after = doctor(status="verified", revision=2)

    [event] = events_for(doctor(), after, ["status"], clock.now())

    assert (event.data["slot_minutes"], event.data["weekly"], event.data["time_zone"]) == (
        None,
        None,
        "Africa/Bamako",
    )


def test_a_suspension_carries_its_reason(clock):
    before = doctor(status="verified")
    after = replace(before, status="suspended", revision=3)

    [event] = events_for(before, after, ["status"], clock.now(), reason="fraud")

    assert (event.type, event.data["reason"], event.data["status"]) == (
        "doctor.suspended",
        "fraud",
        "suspended",
    )


def test_a_new_schedule_is_announced_on_its_own(clock):
    schedule = build_availability(
        {"weekly": {"mon": [{"start": "08:00", "end": "10:00"}]}}, clock.now()
    )
    after = doctor(availability=schedule, revision=7)

    [event] = events_for(doctor(), after, ["availability"], clock.now())

    assert event.type == "doctor.availability_changed"
    assert (event.data["revision"], event.data["weekly"]) == (
        7,
        {"mon": [{"start": "08:00", "end": "10:00"}]},
    )


def test_a_doctors_fee_change_tells_the_new_fee_and_a_patients_change_tells_no_snapshot(clock):
    [fee] = events_for(doctor(), doctor(fee_xof=20000, revision=2), ["fee_xof"], clock.now())
    [city] = events_for(patient(), patient(city="Gao", revision=2), ["city"], clock.now())

    assert (fee.type, fee.data["changed"], fee.data["fee_xof"]) == (
        "profile.updated",
        ["fee_xof"],
        20000,
    )
    assert city.data == {
        "user_id": patient().user_id,
        "role": "patient",
        "changed": ["city"],
        "full_name": "Awa Traoré",
        "language": "fr",
        "revision": None,
        "status": None,
        "specialty": None,
        "fee_xof": None,
        "time_zone": None,
        "slot_minutes": None,
        "weekly": None,
        "exceptions": None,
    }
    assert "date_of_birth" not in city.to_json()


def test_no_change_no_event(clock):
    assert events_for(doctor(), doctor(), [], clock.now()) == []


def test_the_past_is_left_out_even_when_the_doctor_is_far_from_utc(clock):
    schedule = build_availability(
        {
            "time_zone": "Pacific/Kiritimati",
            "exceptions": [{"day": "2031-03-04", "available": False}],
        },
        clock.now(),
    )
    # 3 March 09:00 UTC is already 3 March 23:00 in Kiritimati (UTC+14); the 4th is still ahead.
    [event] = events_for(doctor(), doctor(availability=schedule), ["availability"], clock.now())

    assert [e["day"] for e in event.data["exceptions"]] == [date(2031, 3, 4).isoformat()]
