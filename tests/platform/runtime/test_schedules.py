"""Schedules: EventBridge's rate and cron expressions, and scheduled functions in the stack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from keneya_local.schedules import ScheduleError, parse
from keneya_local.stack import EmbeddedStack

from .journal import Journal

# Saturday 29 November 2025, 19:07:30 UTC.
NOW = datetime(2025, 11, 29, 19, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 ? * MON-FRI *)", datetime(2025, 12, 1, 12, 0, tzinfo=UTC)),
        ("cron(*/15 * * * ? *)", datetime(2025, 11, 29, 19, 15, tzinfo=UTC)),
        ("cron(5/20 * * * ? *)", datetime(2025, 11, 29, 19, 25, tzinfo=UTC)),
        ("cron(0 8 L * ? *)", datetime(2025, 11, 30, 8, 0, tzinfo=UTC)),
        ("cron(0 8 ? * 6L *)", datetime(2025, 12, 26, 8, 0, tzinfo=UTC)),
        ("cron(0 8 ? * 2#1 *)", datetime(2025, 12, 1, 8, 0, tzinfo=UTC)),
        ("cron(0 8 1W * ? *)", datetime(2025, 12, 1, 8, 0, tzinfo=UTC)),
        ("cron(30 6 ? * SAT,SUN *)", datetime(2025, 11, 30, 6, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(0 23 ? NOV-FEB 1 *)", datetime(2025, 11, 30, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_cron_expression_fires_at_the_next_matching_minute_in_utc(expression, expected):
    assert parse(expression).next_after(NOW) == expected


def test_a_rate_fires_every_period_counted_from_when_the_rule_was_created():
    rate = parse("rate(5 minutes)")
    created = NOW - timedelta(minutes=12)

    assert rate.next_after(NOW, created) == created + timedelta(minutes=15)
    assert parse("rate(1 day)").next_after(NOW, NOW) == NOW + timedelta(days=1)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 hours)",
        "cron(* * * * * *)",
        "cron(0 12 * * ?)",
        "cron(61 * * * ? *)",
        "cron(0 0 ? * FUNDAY *)",
        "every 5 minutes",
    ],
)
def test_an_expression_eventbridge_would_refuse_is_refused(expression):
    with pytest.raises(ScheduleError):
        parse(expression)


@pytest.mark.slow
def test_the_stack_lists_its_schedules_with_their_next_firing(local_stack: EmbeddedStack):
    listed = requests.get(f"{local_stack.http_url}/_local/schedules", timeout=5).json()

    by_handler = {s["handler"]: s for s in listed["schedules"]}
    assert by_handler["every_minute"]["expression"] == "rate(1 minute)"
    assert by_handler["weekday_noon"]["expression"] == "cron(0 12 ? * MON-FRI *)"
    next_fire = datetime.strptime(by_handler["every_minute"]["next_fire"], "%Y-%m-%dT%H:%M:%SZ")
    assert timedelta(0) < next_fire.replace(tzinfo=UTC) - datetime.now(UTC) <= timedelta(minutes=1)
    assert by_handler["weekday_noon"]["next_fire"].endswith("T12:00:00Z")


@pytest.mark.slow
def test_running_a_schedule_now_invokes_it_with_a_scheduled_event(
    local_stack: EmbeddedStack, journal: Journal
):
    before = len(journal.entries("schedule", rule="every_minute"))

    response = requests.post(
        f"{local_stack.http_url}/_local/schedules/shop/every_minute", timeout=10
    )

    assert response.json()["ok"] is True
    entries = journal.wait_for("schedule", count=before + 1, rule="every_minute")
    assert entries[-1]["detail_type"] == "Scheduled Event"
