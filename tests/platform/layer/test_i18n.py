"""The language of what people read comes from Accept-Language, French by default."""

import pytest

from keneya.i18n import language_of, translate


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("bm, fr;q=0.8, en;q=0.5", "fr"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("de, en;q=0.1", "en"),
        ("en;q=0", "fr"),
        ("fr;q=abc, en;q=0.5", "en"),
        ("fr-ML, en;q=0.8", "fr"),
        ("bm, en;q=0.5", "en"),
        ("de, *;q=0.1", "fr"),
    ],
)
def test_the_best_of_our_languages_is_chosen(header, language):
    assert language_of(header) == language


def test_a_text_is_filled_in_its_language():
    texts = {"booked": {"fr": "Rendez-vous à {time}.", "en": "Appointment at {time}."}}

    assert translate(texts, "booked", "en", time="14:30") == "Appointment at 14:30."
