"""A patient never holds two overlapping consultations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.agenda import Hold, PatientAgenda

NOW = datetime(2031, 3, 3, 7, 0, tzinfo=UTC)
NINE = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def test_an_overlapping_time_is_refused_and_a_following_one_is_not():
    agenda = PatientAgenda("p1").holding(Hold("c1", NINE, NINE + HALF_HOUR), NOW)

    clash = agenda.conflict(NINE + timedelta(minutes=15), NINE + timedelta(minutes=45), NOW)
    after = agenda.conflict(NINE + HALF_HOUR, NINE + 2 * HALF_HOUR, NOW)

    assert clash is not None and clash.consultation_id == "c1"
    assert after is None


def test_a_released_consultation_no_longer_blocks_its_time():
    agenda = PatientAgenda("p1").holding(Hold("c1", NINE, NINE + HALF_HOUR), NOW)

    released = agenda.releasing("c1", NOW)

    assert released.conflict(NINE, NINE + HALF_HOUR, NOW) is None
    assert not released.holds_consultation("c1")


def test_consultations_that_are_over_are_dropped_when_the_agenda_is_rewritten():
    yesterday = NINE - timedelta(days=1)
    agenda = PatientAgenda("p1", (Hold("old", yesterday, yesterday + HALF_HOUR),), version=3)

    rewritten = agenda.holding(Hold("c2", NINE, NINE + HALF_HOUR), NOW)

    assert [h.consultation_id for h in rewritten.holds] == ["c2"]
    assert rewritten.version == 3


def test_the_stored_form_gives_the_same_agenda_back():
    agenda = PatientAgenda("p1", (Hold("c1", NINE, NINE + HALF_HOUR),), version=2)

    assert PatientAgenda.from_document("p1", agenda.to_document(), 2) == agenda
