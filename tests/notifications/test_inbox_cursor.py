import pytest

from chalicelib.inbox import InvalidCursor, decode_cursor, encode_cursor

KEY = {"pk": "USER#u-1", "sk": "NOTIF#01JN0000000000000000000000"}


def test_a_cursor_continues_the_listing_it_came_from():
    assert decode_cursor(encode_cursor(KEY), {"pk": "USER#u-1"}) == KEY


def test_a_cursor_of_another_person_is_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(KEY), {"pk": "USER#u-2"})


def test_a_cursor_of_the_full_listing_does_not_continue_the_unread_one():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(KEY), {"pk": "USER#u-1", "gsi1pk": "UNREAD#u-1"})


@pytest.mark.parametrize("garbage", ["", "%%%", "bm90IGpzb24", "WzEsMl0", "eyJwayI6IDF9"])
def test_garbage_is_not_a_cursor(garbage):
    with pytest.raises(InvalidCursor):
        decode_cursor(garbage, {"pk": "USER#u-1"})
