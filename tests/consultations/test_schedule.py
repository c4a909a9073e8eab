"""A doctor's schedule becomes bookable slots, in the doctor's time zone, returned in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.schedule import InvalidSchedule, Schedule

MONDAY = date(2031, 3, 3)


def schedule(**overrides) -> Schedule:
    payload = {
        "time_zone": "Africa/Bamako",
        "slot_minutes": 30,
        "weekly": {"mon": [{"start": "08:00", "end": "10:00"}]},
        "exceptions": [],
        **overrides,
    }
    return Schedule.from_payload(payload)


def starts(slots) -> list[str]:
    return [s.starts_at.strftime("%Y-%m-%d %H:%M") for s in slots]


def test_a_weekly_range_gives_back_to_back_slots_that_end_within_it():
    slots = schedule().slots_on(MONDAY)

    assert starts(slots) == [
        "2031-03-03 08:00",
        "2031-03-03 08:30",
        "2031-03-03 09:00",
        "2031-03-03 09:30",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)
    assert slots[-1].ends_at == datetime(2031, 3, 3, 10, 0, tzinfo=UTC)


def test_a_day_without_hours_offers_nothing():
    assert schedule().slots_on(MONDAY + timedelta(days=1)) == []


def test_local_hours_of_a_doctor_elsewhere_are_returned_in_utc():
    paris = schedule(time_zone="Europe/Paris")  # UTC+1 in March before the change

    assert starts(paris.slots_on(MONDAY))[0] == "2031-03-03 07:00"


def test_an_exception_replaces_the_hours_of_its_day_or_makes_it_a_day_off():
    with_exceptions = schedule(
        exceptions=[
            {
                "day": MONDAY.isoformat(),
                "available": True,
                "ranges": [{"start": "14:00", "end": "15:00"}],
            },
            {"day": (MONDAY + timedelta(days=7)).isoformat(), "available": False, "ranges": []},
        ]
    )

    assert starts(with_exceptions.slots_on(MONDAY)) == ["2031-03-03 14:00", "2031-03-03 14:30"]
    assert with_exceptions.slots_on(MONDAY + timedelta(days=7)) == []
    assert len(with_exceptions.slots_on(MONDAY + timedelta(days=14))) == 4


def test_overlapping_ranges_never_give_overlapping_slots():
    overlapping = schedule(
        weekly={"mon": [{"start": "08:00", "end": "09:00"}, {"start": "08:30", "end": "09:30"}]}
    )

    assert starts(overlapping.slots_on(MONDAY)) == [
        "2031-03-03 08:00",
        "2031-03-03 08:30",
        "2031-03-03 09:00",
    ]


def test_a_range_may_end_at_midnight():
    late = schedule(weekly={"mon": [{"start": "23:00", "end": "24:00"}]})

    assert starts(late.slots_on(MONDAY)) == ["2031-03-03 23:00", "2031-03-03 23:30"]


def test_a_local_time_skipped_by_daylight_saving_offers_no_slot():
    # Europe/Paris jumps from 02:00 to 03:00 on the last Sunday of March 2031 (the 30th).
    spring = schedule(
        time_zone="Europe/Paris", weekly={"sun": [{"start": "01:00", "end": "04:00"}]}
    )

    local_starts = [
        s.starts_at.astimezone(spring.zone).strftime("%H:%M")
        for s in spring.slots_on(date(2031, 3, 30))
    ]

    assert "02:00" not in local_starts and "02:30" not in local_starts
    assert local_starts == ["01:00", "01:30", "03:00", "03:30"]


def test_slots_between_keeps_those_starting_in_the_window():
    week = schedule()
    window_start = datetime(2031, 3, 3, 8, 30, tzinfo=UTC)

    slots = week.slots_between(window_start, window_start + timedelta(days=7, minutes=1))

    assert starts(slots) == [
        "2031-03-03 08:30",
        "2031-03-03 09:00",
        "2031-03-03 09:30",
        "2031-03-10 08:00",
        "2031-03-10 08:30",
    ]


def test_slot_at_finds_only_starts_the_schedule_offers():
    week = schedule()

    assert week.slot_at(datetime(2031, 3, 3, 9, 0, tzinfo=UTC)) is not None
    assert week.slot_at(datetime(2031, 3, 3, 9, 15, tzinfo=UTC)) is None
    assert week.slot_at(datetime(2031, 3, 4, 9, 0, tzinfo=UTC)) is None


def test_the_stored_form_gives_the_same_schedule_back():
    original = schedule(exceptions=[{"day": MONDAY.isoformat(), "available": False, "ranges": []}])

    assert Schedule.from_payload(original.to_payload()) == original


@pytest.mark.parametrize(
    "change",
    [
        {"time_zone": "Mars/Olympus"},
        {"weekly": {"mon": [{"start": "10:00", "end": "09:00"}]}},
        {"weekly": {"mon": [{"start": "08:75", "end": "09:00"}]}},
    ],
)
def test_an_unusable_schedule_is_refused(change):
    with pytest.raises(InvalidSchedule):
        schedule(**change)
