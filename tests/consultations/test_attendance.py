"""The call attendance as pure rules: sessions paired by role and join time, whatever the order
or the repeats of the signaling service's events; a cap on what one role keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import lifecycle
from chalicelib.attendance import MAX_SESSIONS, CallAttendance, CallSession
from chalicelib.lifecycle import Consultation, Status
from chalicelib.schemas import consultation_view

T0 = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def in_progress() -> Consultation:
    return Consultation(
        id="c1",
        patient_id="p1",
        doctor_id="d1",
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=30),
        time_zone="Africa/Bamako",
        mode="video",
        reason="Fièvre",
        fee_xof=5000,
        status=Status.IN_PROGRESS,
        booked_at=T0 - timedelta(days=1),
        room_id="room1",
        started_at=T0,
        updated_at=T0,
    )


def joined(call: CallAttendance, role: str, start: int) -> CallAttendance:
    after = call.joined(role, at(start))
    assert after is not None
    return after


def left(call: CallAttendance, role: str, start: int, end: int, reason: str = "left"):
    return call.left(role, joined_at=at(start), left_at=at(end), seconds=end - start, reason=reason)


def test_a_join_then_its_leave_make_one_closed_session_counted_in_the_total():
    call = joined(CallAttendance(), "doctor", 0)

    call = left(call, "doctor", 0, 754)

    assert call.doctor.sessions == (
        CallSession(joined_at=at(0), left_at=at(754), seconds=754, reason="left"),
    )
    assert call.doctor.seconds == 754
    assert call.patient.sessions == () and call.patient.seconds == 0


def test_a_session_stays_open_until_its_leave_and_counts_nothing_meanwhile():
    call = joined(CallAttendance(), "patient", 30)

    [session] = call.patient.sessions
    assert session.open and session.seconds is None
    assert call.patient.seconds == 0


def test_a_leave_before_its_join_makes_one_closed_session_the_late_join_leaves_alone():
    call = left(CallAttendance(), "patient", 10, 70, reason="disconnected")

    assert call is not None
    assert call.joined("patient", at(10)) is None
    [session] = call.patient.sessions
    assert (session.left_at, session.seconds, session.reason) == (at(70), 60, "disconnected")
    assert call.patient.seconds == 60


def test_the_same_join_or_leave_again_changes_nothing_and_counts_nothing_twice():
    call = left(joined(CallAttendance(), "doctor", 0), "doctor", 0, 100)

    assert call.joined("doctor", at(0)) is None
    assert left(call, "doctor", 0, 100) is None
    assert call.doctor.seconds == 100


def test_sessions_are_paired_by_role_and_join_time_and_listed_oldest_first():
    call = joined(CallAttendance(), "doctor", 0)
    call = joined(call, "patient", 0)  # the same instant, the other role: another session
    call = left(call, "doctor", 300, 360)  # a later stay whose join has not come yet
    assert call.joined("doctor", at(300)) is None  # ... and comes now: already closed
    call = left(call, "doctor", 0, 200, reason="disconnected")

    assert [(s.joined_at, s.seconds) for s in call.doctor.sessions] == [
        (at(0), 200),
        (at(300), 60),
    ]
    assert call.doctor.seconds == 260
    assert [s.open for s in call.patient.sessions] == [True]


def test_a_flapping_connection_keeps_only_the_last_sessions_but_counts_them_all():
    call = CallAttendance()
    flaps = MAX_SESSIONS + 5
    for n in range(flaps):
        call = left(joined(call, "patient", n * 100), "patient", n * 100, n * 100 + 10)

    presence = call.patient
    assert len(presence.sessions) == MAX_SESSIONS
    assert presence.sessions[0].joined_at == at(5 * 100)
    assert (presence.forgotten, presence.seconds) == (5, flaps * 10)
    # A late event about a forgotten session can no longer be paired: it is ignored.
    assert call.joined("patient", at(0)) is None
    assert left(call, "patient", 100, 110) is None


def test_recording_a_join_changes_only_the_attendance_and_emits_nothing():
    c = in_progress()

    change = lifecycle.record_call_joined(c, user_id="d1", role="doctor", joined_at=at(5), now=NOW)

    assert change is not None and change.events == ()
    assert (change.doctor_time, change.patient_time) == (None, None)
    assert change.after.status is Status.IN_PROGRESS
    assert change.after.call.doctor.sessions[0].joined_at == at(5)
    assert change.after.updated_at == NOW


def test_a_leave_after_the_consultation_ended_is_still_recorded():
    c = in_progress().model_copy(update={"status": Status.COMPLETED})
    c = lifecycle.record_call_joined(c, user_id="p1", role="patient", joined_at=at(0), now=NOW)
    assert c is not None

    change = lifecycle.record_call_left(
        c.after, user_id="p1", role="patient", joined_at=at(0), left_at=at(900), seconds=900,
        reason="room_closed", now=NOW,
    )

    assert change is not None and change.after.call.patient.seconds == 900


def test_an_event_naming_someone_else_in_a_role_changes_nothing():
    c = in_progress()

    assert lifecycle.record_call_joined(
        c, user_id="p1", role="doctor", joined_at=at(0), now=NOW
    ) is None
    assert lifecycle.record_call_left(
        c, user_id="x9", role="patient", joined_at=at(0), left_at=at(9), seconds=9,
        reason="left", now=NOW,
    ) is None


def test_the_view_shows_each_participant_seconds_and_sessions():
    c = in_progress()
    c = lifecycle.record_call_joined(c, user_id="d1", role="doctor", joined_at=at(0), now=NOW)
    assert c is not None
    c = lifecycle.record_call_left(
        c.after, user_id="d1", role="doctor", joined_at=at(0), left_at=at(754), seconds=754,
        reason="left", now=NOW,
    )
    assert c is not None

    view = consultation_view(c.after).model_dump(mode="json")

    assert view["call"] == {
        "doctor": {
            "seconds": 754,
            "sessions": [
                {"joined_at": "2031-03-04T10:00:00Z", "left_at": "2031-03-04T10:12:34Z",
                 "seconds": 754, "reason": "left"}
            ],
            "earlier_sessions": 0,
        },
        "patient": {"seconds": 0, "sessions": [], "earlier_sessions": 0},
    }


def test_a_consultation_stored_before_attendance_existed_reads_with_an_empty_one():
    stored = in_progress().model_dump(mode="json")
    del stored["call"]

    c = Consultation.model_validate(stored)

    assert c.call == CallAttendance()


def test_a_patient_in_the_video_call_can_no_longer_be_marked_absent():
    c = in_progress()

    change = lifecycle.record_call_joined(c, user_id="p1", role="patient", joined_at=at(5), now=NOW)

    assert change is not None and change.after.patient_joined_at == at(5)
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.mark_no_show(change.after, now=NOW)


def test_the_doctor_joining_the_call_does_not_count_as_the_patient_being_there():
    change = lifecycle.record_call_joined(
        in_progress(), user_id="d1", role="doctor", joined_at=at(5), now=NOW
    )

    assert change is not None and change.after.patient_joined_at is None
    assert lifecycle.mark_no_show(change.after, now=NOW).after.status is Status.NO_SHOW
