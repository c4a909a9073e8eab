"""Bookings lock 5-minute blocks: overlapping bookings always share one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.blocks import block_key, blocks_of, parse_block_key

NINE = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def test_a_half_hour_consultation_holds_six_blocks():
    blocks = blocks_of(NINE, NINE + timedelta(minutes=30))

    assert [block_key(b) for b in blocks] == [
        "2031-03-03T09:00Z",
        "2031-03-03T09:05Z",
        "2031-03-03T09:10Z",
        "2031-03-03T09:15Z",
        "2031-03-03T09:20Z",
        "2031-03-03T09:25Z",
    ]


def test_slots_of_different_lengths_that_overlap_share_a_block():
    thirty = set(blocks_of(NINE, NINE + timedelta(minutes=30)))
    twenty_later = set(blocks_of(NINE + timedelta(minutes=20), NINE + timedelta(minutes=40)))
    back_to_back = set(blocks_of(NINE + timedelta(minutes=30), NINE + timedelta(minutes=60)))

    assert thirty & twenty_later
    assert not thirty & back_to_back


def test_block_keys_sort_like_time_and_read_back():
    first, second = NINE, NINE + timedelta(minutes=5)

    assert block_key(first) < block_key(second)
    assert parse_block_key(block_key(second)) == second
