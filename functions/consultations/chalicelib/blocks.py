"""A doctor's time as 5-minute blocks, the unit the booking locks.

A consultation holds every block it touches, each stored as an item that can be written only if
it does not exist yet. Two bookings that overlap in any way (same slot, or slots of different
lengths after the doctor changed the schedule) want at least one common block, so at most one
of them can commit, however many arrive at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

BLOCK = timedelta(minutes=5)
BLOCK_MINUTES = 5
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def floor_block(moment: datetime) -> datetime:
    """The start of the block containing `moment` (UTC)."""
    moment = moment.astimezone(UTC)
    return moment - ((moment - _EPOCH) % BLOCK)


def blocks_of(start: datetime, end: datetime) -> list[datetime]:
    """Every block that [start, end) touches, in order."""
    if end <= start:
        raise ValueError("end must be after start")
    current = floor_block(start)
    blocks = []
    while current < end:
        blocks.append(current)
        current += BLOCK
    return blocks


def block_key(block: datetime) -> str:
    """The sortable text of a block start: `2025-03-01T09:05Z`."""
    return block.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_block_key(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
