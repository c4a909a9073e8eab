"""A doctor's schedule: what is accepted, what is refused (naming the field), what is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.errors import InvalidFields
from chalicelib.schedules import TimeRange, availability_from_payload, build_availability

# 23:30 UTC on 1 March is already 2 March in Asia/Tokyo but still 1 March in Bamako (UTC+0).
NOW = datetime(2031, 3, 1, 23, 30, tzinfo=UTC)


def refused(raw: dict) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as caught:
        build_availability(raw, NOW)
    return [(b.field, b.code) for b in caught.value.broken]


def test_a_weekly_schedule_with_a_lunch_break_is_kept_in_order_with_its_defaults():
    availability = build_availability(
        {
            "weekly": {
                "mon": [{"start": "15:00", "end": "18:00"}, {"start": "08:00", "end": "12:00"}],
                "sat": [{"start": "09:00", "end": "24:00"}],
            }
        },
        NOW,
    )

    assert availability.time_zone == "Africa/Bamako"
    assert availability.slot_minutes == 30
    assert availability.weekly["mon"] == (TimeRange(480, 720), TimeRange(900, 1080))
    assert availability.as_payload()["weekly"] == {
        "mon": [{"start": "08:00", "end": "12:00"}, {"start": "15:00", "end": "18:00"}],
        "sat": [{"start": "09:00", "end": "24:00"}],
    }


def test_every_broken_rule_is_named_at_once():
    problems = refused(
        {
            "time_zone": "Africa/Atlantis",
            "slot_minutes": 7,
            "weekly": {
                "mon": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
                "tue": [{"start": "12:00", "end": "08:00"}],
                "wed": [{"start": "25:00", "end": "26:00"}],
                "thu": [{"start": "08:03", "end": "09:00"}],
                "holiday": [{"start": "08:00", "end": "09:00"}],
            },
        }
    )

    assert problems == [
        ("time_zone", "time_zone_unknown"),
        ("slot_minutes", "slot_length"),
        ("weekly.mon.1", "range_overlap"),
        ("weekly.tue.0.end", "range_order"),
        ("weekly.wed.0.start", "time_invalid"),
        ("weekly.wed.0.end", "time_invalid"),
        ("weekly.thu.0.start", "time_grid"),
        ("weekly.holiday", "weekday_unknown"),
    ]


def test_a_range_shorter_than_one_slot_is_refused():
    assert refused(
        {"slot_minutes": 45, "weekly": {"fri": [{"start": "08:00", "end": "08:30"}]}}
    ) == [("weekly.fri.0.end", "range_shorter_than_slot")]


@pytest.mark.parametrize("start", ["24:00", "7:00", "07h00"])
def test_a_start_that_is_no_time_of_day_is_refused(start):
    assert refused({"weekly": {"mon": [{"start": start, "end": "24:00"}]}}) == [
        ("weekly.mon.0.start", "time_invalid")
    ]


def test_special_days_are_checked_against_today_in_the_doctors_time_zone():
    # In Tokyo it is already 2 March: 1 March is past there, not in Bamako.
    days = [{"day": "2031-03-01", "available": False}]

    assert build_availability({"exceptions": days}, NOW).exceptions[0].day == date(2031, 3, 1)
    assert refused({"time_zone": "Asia/Tokyo", "exceptions": days}) == [
        ("exceptions.0.day", "day_past")
    ]


def test_special_days_rules():
    problems = refused(
        {
            "exceptions": [
                {
                    "day": "2031-03-05",
                    "available": False,
                    "ranges": [{"start": "08:00", "end": "09:00"}],
                },
                {"day": "2031-03-06", "available": True, "ranges": []},
                {"day": "2031-03-07", "available": False},
                {"day": "2031-03-07", "available": False},
                {"day": "2033-03-07", "available": False},
            ]
        }
    )

    assert problems == [
        ("exceptions.0.ranges", "day_off_has_ranges"),
        ("exceptions.1.ranges", "ranges_required"),
        ("exceptions.3.day", "day_repeated"),
        ("exceptions.4.day", "day_too_far"),
    ]


def test_a_day_with_other_hours_replaces_the_weekly_ones_and_is_sent_in_full():
    availability = build_availability(
        {
            "slot_minutes": 20,
            "time_zone": "Africa/Abidjan",
            "weekly": {"mon": [{"start": "08:00", "end": "12:00"}]},
            "exceptions": [
                {
                    "day": "2031-03-10",
                    "available": True,
                    "ranges": [{"start": "14:00", "end": "16:00"}],
                },
                {"day": "2031-03-03", "available": False},
            ],
        },
        NOW,
    )

    assert availability.as_payload() == {
        "time_zone": "Africa/Abidjan",
        "slot_minutes": 20,
        "weekly": {"mon": [{"start": "08:00", "end": "12:00"}]},
        "exceptions": [
            {"day": "2031-03-03", "available": False, "ranges": []},
            {
                "day": "2031-03-10",
                "available": True,
                "ranges": [{"start": "14:00", "end": "16:00"}],
            },
        ],
    }
    assert availability_from_payload(availability.as_payload()) == availability


def test_special_days_already_past_are_left_out_once_the_day_is_over():
    availability = build_availability(
        {
            "exceptions": [
                {"day": "2031-03-02", "available": False},
                {"day": "2031-03-09", "available": False},
            ]
        },
        NOW,
    )

    later = availability.upcoming(date(2031, 3, 3))

    assert [e.day for e in later.exceptions] == [date(2031, 3, 9)]


@pytest.mark.parametrize("zone", ["../../etc/passwd", "/etc/localtime", "Not/AZone", "x" * 80])
def test_a_time_zone_that_is_a_path_or_nonsense_is_refused(zone):
    assert refused({"time_zone": zone}) == [("time_zone", "time_zone_unknown")]
