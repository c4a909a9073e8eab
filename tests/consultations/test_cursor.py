"""Pagination cursors: opaque, and good only for the caller they were given to."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.errors import InvalidCursor
from chalicelib.store import decode_cursor, encode_cursor

KEY = {
    "pk": {"S": "CONSULTATION#c1"},
    "sk": {"S": "PATIENT"},
    "gsi1pk": {"S": "PATIENT#p1"},
    "gsi1sk": {"S": "2031-03-03T09:00:00Z#c1"},
}


def test_a_cursor_reads_back_for_its_owner():
    assert decode_cursor(encode_cursor(KEY), "PATIENT#p1") == KEY


def test_a_cursor_of_another_caller_is_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(KEY), "PATIENT#p2")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        encode_cursor({**KEY, "extra": {"S": "x"}}),
        encode_cursor({**KEY, "pk": {"S": "DOCTOR#d1"}}),
        encode_cursor({**KEY, "sk": {"N": "1"}}),
        base64.urlsafe_b64encode(json.dumps({**KEY, "sk": {"S": "BUSY#x"}}).encode()).decode(),
    ],
)
def test_a_forged_or_damaged_cursor_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, "PATIENT#p1")
