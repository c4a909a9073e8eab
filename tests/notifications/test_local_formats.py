from chalicelib.local_formats import amount, duration, local_time, minutes_between

from .fakes import at


def test_a_consultation_time_reads_as_bamako_local_time_in_french_and_english():
    moment = at("2025-03-03T14:30:00")

    assert local_time(moment, "fr") == "lundi 3 mars à 14h30"
    assert local_time(moment, "en") == "Monday 3 March at 14:30"


def test_a_time_given_in_another_offset_is_converted_to_bamako():
    from datetime import datetime

    paris = datetime.fromisoformat("2025-06-01T10:05:00+02:00")

    assert local_time(paris, "fr") == "dimanche 1er juin à 08h05"


def test_bambara_texts_write_dates_the_french_way():
    assert local_time(at("2025-12-25T09:00:00"), "bm") == "jeudi 25 décembre à 09h00"


def test_amounts_are_whole_fcfa_grouped_for_each_language():
    assert amount(15000, "fr") == "15\u202f000 FCFA"
    assert amount(1250000, "en") == "1,250,000 FCFA"
    assert amount(500, "fr") == "500 FCFA"


def test_durations_read_in_minutes_or_hours():
    assert duration(45, "fr") == "45 min"
    assert duration(60, "fr") == "1 h"
    assert duration(90, "fr") == "1 h 30"
    assert duration(1440, "en") == "24 hours"
    assert duration(61, "en") == "1 hour 1 min"


def test_minutes_between_rounds_and_never_says_zero():
    assert minutes_between(at("2025-01-01T10:00:00"), at("2025-01-01T10:09:40")) == 10
    assert minutes_between(at("2025-01-01T10:00:00"), at("2025-01-01T10:00:05")) == 1
