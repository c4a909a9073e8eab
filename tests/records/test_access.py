"""The access rule: the patient owns the record; a doctor reads it only through current or
recent care or an active share; administrators and everyone else get nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.access import Access, CareLink, Share, care_status, decide, moves_forward

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def link(status: str, doctor: str = "dr-1", completed_days_ago: float | None = None) -> CareLink:
    completed = NOW - timedelta(days=completed_days_ago) if completed_days_ago is not None else None
    return CareLink("c-1", doctor, status, completed)


def test_the_patient_owns_their_record_and_nobody_elses():
    assert decide("p-1", "patient", "p-1", NOW) == Access("owner")
    assert decide("p-2", "patient", "p-1", NOW) is None


@pytest.mark.parametrize(
    ("care", "allowed"),
    [
        (link("pending"), False),
        (link("confirmed"), True),
        (link("in_progress"), True),
        (link("completed", completed_days_ago=29), True),
        (link("completed", completed_days_ago=31), False),
        (link("closed"), False),
        (link("confirmed", doctor="dr-2"), False),
    ],
)
def test_a_doctor_reads_through_current_or_recent_care_only(care, allowed):
    access = decide("dr-1", "doctor", "p-1", NOW, care=[care])

    assert (access == Access("consultation", "c-1")) is allowed
    assert (access is not None) is allowed


@pytest.mark.parametrize(
    ("share", "allowed"),
    [
        (Share("s-1", "dr-1", NOW + timedelta(days=1)), True),
        (Share("s-1", "dr-1", NOW - timedelta(seconds=1)), False),
        (Share("s-1", "dr-1", NOW + timedelta(days=1), revoked_at=NOW), False),
        (Share("s-1", "dr-2", NOW + timedelta(days=1)), False),
    ],
)
def test_a_doctor_reads_through_an_active_share_of_their_own(share, allowed):
    access = decide("dr-1", "doctor", "p-1", NOW, shares=[share])

    assert (access == Access("share", "s-1")) is allowed


def test_an_administrator_has_no_clinical_access_even_with_care_links():
    assert decide("dr-1", "admin", "p-1", NOW, care=[link("confirmed")]) is None


def test_care_status_only_moves_forward_so_late_events_do_not_reopen_access():
    assert care_status("consultation.booked", {"status": "pending_payment"}) == "pending"
    assert care_status("consultation.booked", {"status": "confirmed"}) == "confirmed"
    assert moves_forward("pending", "confirmed")
    assert not moves_forward("completed", "confirmed")
    assert not moves_forward("closed", "in_progress")
