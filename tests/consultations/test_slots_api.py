"""GET /api/v1/consultations/slots: a doctor's free slots, from the schedule the users service
announced, in the doctor's time zone, returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keneya.correlation import new_id
from tests.support.consultations import iso, parse
from tests.support.people import Person, eventually


def next_monday(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


def test_slots_follow_the_doctor_s_hours_in_their_time_zone(api, topic):
    doctor = Person(new_id(), "doctor", "", "Dr Ngozi Okafor")
    topic.doctor_bookable(
        doctor,
        time_zone="Africa/Lagos",
        slot_minutes=20,
        weekly={"mon": [{"start": "08:00", "end": "09:00"}]},
    )
    monday = next_monday(datetime.now(UTC))
    assert eventually(lambda: api.slots(doctor).status_code == 200)

    response = api.slots(doctor, **{"from": iso(monday), "to": iso(monday + timedelta(days=1))})

    assert response.status_code == 200
    found = response.json()
    assert (found["time_zone"], found["slot_minutes"], found["fee_xof"]) == (
        "Africa/Lagos",
        20,
        5000,
    )
    # 08:00 in Lagos is 07:00 UTC.
    assert [s["starts_at"] for s in found["slots"]] == [
        iso(monday + timedelta(hours=7, minutes=m)) for m in (0, 20, 40)
    ]
    assert [s["local_time"] for s in found["slots"]] == ["08:00", "08:20", "08:40"]
    assert {s["local_date"] for s in found["slots"]} == {monday.date().isoformat()}
    assert parse(found["slots"][0]["ends_at"]) - parse(found["slots"][0]["starts_at"]) == (
        timedelta(minutes=20)
    )


def test_slots_are_listed_for_a_week_by_default_and_for_a_month_at_most(api, new_doctor):
    doctor = new_doctor(account=False)
    now = datetime.now(UTC)

    default = api.slots(doctor).json()["slots"]
    too_long = api.slots(doctor, **{"from": iso(now), "to": iso(now + timedelta(days=32))})
    backwards = api.slots(doctor, **{"from": iso(now), "to": iso(now - timedelta(days=1))})

    assert (
        now + timedelta(minutes=5) <= parse(default[0]["starts_at"]) <= now + timedelta(minutes=40)
    )
    assert parse(default[-1]["starts_at"]) < now + timedelta(days=7)
    assert len(default) > 300
    assert too_long.status_code == 400
    assert [e["field"] for e in too_long.json()["errors"]] == ["to"]
    assert backwards.status_code == 400


def test_an_unknown_or_unverified_doctor_has_no_slots(api, topic):
    unknown = Person(new_id(), "doctor", "", "Dr Inconnu")
    suspended = Person(new_id(), "doctor", "", "Dr Suspendu")
    topic.doctor_bookable(suspended, status="suspended")

    missing = api.slots(unknown)
    malformed = api.call("GET", "/slots", params={"doctor_id": "bad id!"})

    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert malformed.status_code == 400
    assert [e["field"] for e in malformed.json()["errors"]] == ["doctor_id"]
    assert api.slots(suspended).status_code == 404
