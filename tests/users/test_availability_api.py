"""GET and PUT /me/availability: a doctor's weekly hours, slot length, time zone, special days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


def bamako_day(days_ahead: int) -> str:
    return (datetime.now(ZoneInfo("Africa/Bamako")).date() + timedelta(days=days_ahead)).isoformat()


@pytest.fixture(scope="module")
def patient(people):
    return people.patient()


@pytest.fixture(scope="module")
def doctor_without_schedule(people):
    """A doctor who never manages to set a schedule."""
    return people.doctor()


def test_a_doctor_without_a_schedule_sees_the_defaults(doctor_without_schedule, users_api):
    response = users_api.get("/me/availability", who=doctor_without_schedule)

    assert response.status_code == 200
    assert response.json() == {
        "time_zone": "Africa/Bamako",
        "slot_minutes": 30,
        "weekly": {},
        "exceptions": [],
        "updated_at": None,
    }


def test_a_doctor_sets_a_schedule_and_consultations_receive_all_of_it(people, users_api, published):
    doctor = people.doctor()
    users_api.patch("/me", {"fee_xof": 7500}, who=doctor)
    schedule = {
        "time_zone": "Africa/Bamako",
        "slot_minutes": 20,
        "weekly": {
            "mon": [{"start": "15:00", "end": "18:00"}, {"start": "08:00", "end": "12:00"}],
            "sat": [{"start": "09:00", "end": "12:00"}],
        },
        "exceptions": [
            {"day": bamako_day(2), "available": False},
            {
                "day": bamako_day(5),
                "available": True,
                "ranges": [{"start": "18:00", "end": "20:00"}],
            },
        ],
    }

    response = users_api.put("/me/availability", schedule, who=doctor)

    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["weekly"]["mon"] == [
        {"start": "08:00", "end": "12:00"},
        {"start": "15:00", "end": "18:00"},
    ]
    assert saved["exceptions"][0] == {"day": bamako_day(2), "available": False, "ranges": []}
    assert datetime.fromisoformat(saved["updated_at"]) > datetime.now(UTC) - timedelta(minutes=1)
    assert users_api.get("/me/availability", who=doctor).json() == saved
    assert users_api.get("/me", who=doctor).json()["has_schedule"] is True

    event = published.wait_for("doctor.availability_changed", doctor_id=doctor.user_id)
    assert {k: event.data[k] for k in ("time_zone", "slot_minutes", "weekly", "exceptions")} == {
        k: saved[k] for k in ("time_zone", "slot_minutes", "weekly", "exceptions")
    }
    assert (event.data["fee_xof"], event.data["status"]) == (7500, "pending")
    assert event.data["revision"] >= 3


def test_setting_the_same_schedule_again_announces_nothing_new(people, users_api, published):
    doctor = people.doctor()
    schedule = {"weekly": {"tue": [{"start": "08:00", "end": "10:00"}]}}
    users_api.put("/me/availability", schedule, who=doctor)
    first = published.wait_for("doctor.availability_changed", doctor_id=doctor.user_id)

    again = users_api.put("/me/availability", schedule, who=doctor)
    users_api.put("/me/availability", {**schedule, "slot_minutes": 60}, who=doctor)
    latest = published.wait_for(
        "doctor.availability_changed", doctor_id=doctor.user_id, slot_minutes=60
    )

    assert again.status_code == 200
    assert len(published.all_of("doctor.availability_changed", doctor_id=doctor.user_id)) == 2
    assert latest.data["revision"] == first.data["revision"] + 1


def test_a_schedule_breaking_the_rules_is_refused_naming_each_field(
    doctor_without_schedule, users_api
):
    doctor = doctor_without_schedule

    response = users_api.put(
        "/me/availability",
        {
            "time_zone": "Mars/Olympus",
            "weekly": {
                "mon": [{"start": "08:00", "end": "12:00"}, {"start": "11:30", "end": "13:00"}],
                "fri": [{"start": "8h", "end": "12:00"}],
            },
            "exceptions": [{"day": bamako_day(-3), "available": False}],
        },
        who=doctor,
        language="en",
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    errors = {e["field"]: e for e in response.json()["errors"]}
    # The shape is checked first: the bad time alone is named, in the caller's language.
    assert set(errors) == {"weekly.fri.0.start"}
    response = users_api.put(
        "/me/availability",
        {
            "time_zone": "Mars/Olympus",
            "weekly": {
                "mon": [{"start": "08:00", "end": "12:00"}, {"start": "11:30", "end": "13:00"}]
            },
            "exceptions": [{"day": bamako_day(-3), "available": False}],
        },
        who=doctor,
        language="en",
    )
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("time_zone", "time_zone_unknown"),
        ("weekly.mon.1", "range_overlap"),
        ("exceptions.0.day", "day_past"),
    ]
    assert response.json()["errors"][1]["message"] == (
        "This range overlaps another range of the same day."
    )
    assert users_api.get("/me/availability", who=doctor).json()["updated_at"] is None


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_patient_has_no_schedule_to_read_or_set(patient, users_api, method):
    response = users_api.call(method, "/me/availability", {"weekly": {}}, who=patient)

    assert response.status_code == 403
    assert response.json()["detail"] == "Cette action est réservée aux médecins."
