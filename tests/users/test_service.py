"""The use cases of the users service with the fakes of `fakes.py`: events from other services
applied once, changes saved under their revision or refused, the review's history, the events a
change announces, the directory's cache, photos, and who may read a patient's profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.directory import search_query
from chalicelib.errors import (
    ConcurrentUpdate,
    InvalidFields,
    LockedFields,
    NotFound,
    PhotoRejected,
    ProfileNotReady,
    TransitionRefused,
    WrongRole,
)
from keneya.tokens import Principal

from .fakes import JPEG, World, event
from .profiles_to_start_from import doctor, patient

ADMIN = "01ADMIN000000000000000000A"
HOURS = {"weekly": {"mon": [{"start": "08:00", "end": "12:00"}]}, "slot_minutes": 30}


@pytest.fixture
def world(clock):
    return World(clock=clock.now)


def given(world, *profiles):
    for profile in profiles:
        world.profiles.saved[profile.user_id] = profile
    return world.users


def registered(user_id="01NEWUSER0000000000000000A", **data):
    return event(
        "user.registered",
        {"user_id": user_id, "role": "patient", "full_name": "Fanta Keïta", **data},
    ).data


def consultation(event_type, consultation_id="01CONSULT000000000000000A", **data):
    ref = {
        "consultation_id": consultation_id,
        "patient_id": patient().user_id,
        "doctor_id": doctor().user_id,
    }
    return event_type, event(event_type, {**ref, **data}).data


BOOKED = {
    "starts_at": "2031-03-10T09:00:00Z",
    "ends_at": "2031-03-10T09:30:00Z",
    "mode": "video",
    "fee_xof": 15000,
    "status": "confirmed",
}
CANCELLED = {
    "cancelled_by": "patient",
    "refund_due": True,
    "fee_xof": 15000,
    "reason": "patient_request",
}


# -- events from other services -----------------------------------------------------------------


def test_a_registered_account_gets_one_profile_however_often_the_event_arrives(world, clock):
    users = given(world)

    first = users.open_profile(registered(role="doctor", language="en"))
    clock.advance(minutes=1)
    again = users.open_profile(registered(role="doctor", full_name="Someone Else"))

    profile = users.own_profile("01NEWUSER0000000000000000A")
    assert (first, again) == (True, False)
    assert (profile.full_name, profile.status, profile.language, profile.revision) == (
        "Fanta Keïta",
        "pending",
        "en",
        1,
    )
    assert profile.created_at == clock.now() - timedelta(minutes=1)
    assert world.profiles.emitted == []


def test_a_verified_phone_that_overtakes_the_registration_is_retried_until_the_profile_exists(
    world,
):
    users = given(world)
    verified = event(
        "user.phone_verified", {"user_id": "01NEWUSER0000000000000000A", "phone": "+22376000001"}
    ).data

    with pytest.raises(ProfileNotReady):
        users.phone_verified(verified)
    users.open_profile(registered())
    users.phone_verified(verified)
    users.phone_verified(verified)

    profile = users.own_profile("01NEWUSER0000000000000000A")
    assert (profile.phone, profile.phone_verified, profile.revision) == ("+22376000001", True, 2)
    [updated] = world.profiles.emitted
    assert updated.data["changed"] == ["phone", "phone_verified"]


# -- the signed-in user's profile ---------------------------------------------------------------


def test_a_change_is_saved_under_the_next_revision_with_its_event(world, clock):
    users = given(world, patient(revision=4))

    after = users.update_profile(patient().user_id, {"city": "Kayes", "language": "fr"})

    assert (after.city, after.revision, after.updated_at) == ("Kayes", 5, clock.now())
    assert world.profiles.saved[patient().user_id] == after
    [updated] = world.emitted("profile.updated")
    assert (updated.data["changed"], updated.data["user_id"]) == (["city"], patient().user_id)


def test_a_change_that_changes_nothing_writes_nothing(world):
    users = given(world, patient(city="Kayes"))

    after = users.update_profile(patient().user_id, {"city": "Kayes"})

    assert after.revision == 1
    assert world.profiles.emitted == []


def test_a_change_racing_another_request_is_applied_again_to_the_profile_that_won(world):
    users = given(world, patient(revision=3))
    world.profiles.meanwhile(lambda p: replace(p, language="en"))

    after = users.update_profile(patient().user_id, {"city": "Kayes"})

    assert (after.city, after.language, after.revision) == ("Kayes", "en", 5)
    # Only this request's change is announced: the other one announced its own.
    [updated] = world.profiles.emitted
    assert updated.data["changed"] == ["city"]


def test_a_profile_that_keeps_changing_under_a_request_is_a_conflict_and_nothing_is_sent(world):
    users = given(world, patient())
    for language in ("en", "fr", "en"):
        world.profiles.meanwhile(lambda p, language=language: replace(p, language=language))

    with pytest.raises(ConcurrentUpdate):
        users.update_profile(patient().user_id, {"city": "Kayes"})

    assert world.profiles.saved[patient().user_id].city is None
    assert world.profiles.emitted == []


def test_a_verified_doctors_checked_fields_are_refused_and_nothing_is_written(world):
    users = given(world, doctor(status="verified", revision=3))

    with pytest.raises(LockedFields):
        users.update_profile(doctor().user_id, {"specialty": "dermatology", "fee_xof": 9000})

    assert world.profiles.saved[doctor().user_id].revision == 3
    assert (world.profiles.emitted, world.cache.invalidated) == ([], [])


# -- the review of doctors ----------------------------------------------------------------------


def test_a_doctor_who_completed_their_profile_waits_in_the_queue_oldest_first_page_by_page(
    world, clock
):
    users = given(world)
    for user_id, name in (("01DOC1", "Awa Sow"), ("01DOC2", "Binta Ba"), ("01DOC3", "Coumba Sy")):
        users.open_profile(registered(user_id, role="doctor", full_name=name))
        clock.advance(minutes=5)
    users.update_profile(
        "01DOC2", {"specialty": "cardiology", "licence_number": "CNOM-1", "fee_xof": 8000}
    )

    first, cursor = users.review_queue("pending", None, 2)
    rest, end = users.review_queue("pending", cursor, 2)

    assert [item.profile.user_id for item in first + rest] == ["01DOC1", "01DOC2", "01DOC3"]
    assert (len(first), end) == (2, None)
    assert first[1].profile.licence_number == "CNOM-1"
    with pytest.raises(InvalidFields) as refused:
        users.review_queue("suspended", cursor, 2)
    assert refused.value.in_query


def test_an_administrator_verifies_a_doctor_who_is_announced_and_kept_in_the_history(world, clock):
    admin = replace(patient(), user_id=ADMIN, role="admin", full_name="Issa Coulibaly")
    users = given(world, doctor(revision=2), admin)

    verified = users.review(doctor().user_id, "verify", ADMIN)

    assert (verified.status, verified.verified_at, verified.revision) == (
        "verified",
        clock.now(),
        3,
    )
    [announced] = world.emitted("doctor.verified")
    assert (announced.data["doctor_id"], announced.data["revision"]) == (doctor().user_id, 3)
    [decision] = users.review_history(doctor().user_id)
    assert (decision.action, decision.status_before, decision.status_after) == (
        "verify",
        "pending",
        "verified",
    )
    assert (decision.by.user_id, decision.by.full_name, decision.decided_at) == (
        ADMIN,
        "Issa Coulibaly",
        clock.now(),
    )


def test_a_suspension_keeps_its_reason_and_the_history_reads_newest_first(world, clock):
    users = given(world, doctor())

    users.review(doctor().user_id, "verify", ADMIN)
    clock.advance(days=3)
    suspended = users.review(doctor().user_id, "suspend", ADMIN, reason="licence expired")

    assert (suspended.status, suspended.status_reason) == ("suspended", "licence expired")
    [announced] = world.emitted("doctor.suspended")
    assert announced.data["reason"] == "licence expired"
    history = users.review_history(doctor().user_id)
    assert [(d.action, d.reason) for d in history] == [
        ("suspend", "licence expired"),
        ("verify", None),
    ]
    # The administrator has no profile here: their name is unknown, not invented.
    assert {d.by.full_name for d in history} == {None}


def test_a_refused_review_decision_writes_nothing(world):
    users = given(world, doctor(status="verified"))

    with pytest.raises(TransitionRefused):
        users.review(doctor().user_id, "verify", ADMIN)

    assert (world.profiles.emitted, world.profiles.decided) == ([], [])


def test_only_doctors_are_reviewed(world):
    users = given(world, patient())

    with pytest.raises(NotFound):
        users.review(patient().user_id, "verify", ADMIN)
    with pytest.raises(NotFound):
        users.review("01NOBODY00000000000000000A", "suspend", ADMIN, reason="?")
    with pytest.raises(NotFound):
        users.review_history(patient().user_id)


# -- a doctor's hours ---------------------------------------------------------------------------


def test_new_hours_are_saved_and_announced_with_the_whole_schedule_once(world, clock):
    users = given(world, doctor(status="verified", revision=6))

    after = users.set_availability(doctor().user_id, HOURS)
    again = users.set_availability(doctor().user_id, HOURS)

    assert after.availability_updated_at == clock.now()
    assert again.revision == after.revision == 7
    [announced] = world.profiles.emitted
    assert announced.type == "doctor.availability_changed"
    assert (
        announced.data["revision"],
        announced.data["weekly"],
        announced.data["slot_minutes"],
    ) == (
        7,
        {"mon": [{"start": "08:00", "end": "12:00"}]},
        30,
    )
    assert users.own_schedule(doctor().user_id).availability == after.availability


def test_a_patient_has_no_hours(world):
    users = given(world, patient())

    with pytest.raises(WrongRole):
        users.set_availability(patient().user_id, HOURS)
    with pytest.raises(WrongRole):
        users.own_schedule(patient().user_id)
    assert world.profiles.emitted == []


# -- the directory ------------------------------------------------------------------------------


def test_a_search_is_served_from_the_cache_until_a_listed_doctor_changes(world):
    users = given(world, doctor(status="verified"))
    query = search_query(specialty="cardiology")

    users.search(query)
    world.profiles.saved[doctor().user_id] = doctor(status="verified", fee_xof=1)
    cached = users.search(query)
    users.update_profile(doctor().user_id, {"fee_xof": 20000})
    fresh = users.search(query)

    assert [card["fee_xof"] for card in cached.cards] == [15000]
    assert world.cache.invalidated == [{"*", "cardiology"}]
    assert [card["fee_xof"] for card in fresh.cards] == [20000]


def test_changes_nobody_searching_sees_leave_the_cache_alone(world):
    users = given(world, doctor(status="verified"), doctor(user_id="01DOCTOR00000000000000000B"))

    users.update_profile(doctor().user_id, {"language": "en"})
    users.update_profile("01DOCTOR00000000000000000B", {"fee_xof": 9000})

    assert world.cache.invalidated == []


def test_a_suspended_doctor_leaves_every_search_they_were_in(world):
    users = given(world, doctor(status="verified"))
    users.search(search_query())

    users.review(doctor().user_id, "suspend", ADMIN, reason="complaints")

    assert world.cache.invalidated == [{"*", "cardiology"}]
    assert users.search(search_query()).cards == []
    with pytest.raises(NotFound):
        users.listed_doctor(doctor().user_id)


# -- photos -------------------------------------------------------------------------------------


def test_a_new_photo_replaces_the_old_one_which_is_deleted(world):
    users = given(world, doctor(status="verified"))
    me = doctor().user_id

    old = users.photo_upload_form(me, "image/jpeg", len(JPEG))
    world.photos.upload(me, old.upload_id, JPEG)
    users.accept_photo(me, old.upload_id)
    new = users.photo_upload_form(me, "image/jpeg", len(JPEG))
    world.photos.upload(me, new.upload_id, JPEG)
    after = users.accept_photo(me, new.upload_id)

    assert after.photo_key == world.photos.key(me, new.upload_id)
    assert world.photos.deleted == [world.photos.key(me, old.upload_id)]
    assert [e.data["changed"] for e in world.profiles.emitted] == [["photo"], ["photo"]]
    assert users.photo_url(me) == f"https://photos.test/{after.photo_key}?signature=short-lived"
    assert world.cache.invalidated == [{"*", "cardiology"}] * 2


def test_an_upload_that_is_no_image_is_refused_deleted_and_the_profile_kept(world):
    users = given(world, doctor())
    form = users.photo_upload_form(doctor().user_id, "image/png", 4096)
    world.photos.upload(doctor().user_id, form.upload_id, b"%PDF-1.7" + bytes(4096))

    with pytest.raises(PhotoRejected) as refused:
        users.accept_photo(doctor().user_id, form.upload_id)

    assert refused.value.code == "photo_type"
    assert world.photos.objects == {}
    assert world.profiles.saved[doctor().user_id].photo_key is None
    assert world.profiles.emitted == []


def test_a_removed_photo_is_gone_from_the_profile_even_when_the_bucket_cannot_delete_it(world):
    users = given(world, doctor(photo_key="photos/01DOCTOR00000000000000000A/01UP"))
    world.photos.deletes_fail = True

    after = users.remove_photo(doctor().user_id)

    assert after.photo_key is None
    assert [e.data["changed"] for e in world.profiles.emitted] == [["photo"]]
    with pytest.raises(NotFound):
        users.own_photo_url(doctor().user_id)


def test_a_pending_doctors_photo_is_shown_to_reviewers_only_and_patients_have_none(world):
    users = given(world, doctor(photo_key="photos/01DOCTOR00000000000000000A/01UP"), patient())

    with pytest.raises(NotFound):
        users.photo_url(doctor().user_id)
    assert users.review_photo_url(doctor().user_id).startswith("https://photos.test/photos/")
    with pytest.raises(WrongRole):
        users.photo_upload_form(patient().user_id, "image/jpeg", 4096)


# -- patients' profiles -------------------------------------------------------------------------


def test_a_doctor_reads_a_patients_profile_while_booked_and_not_after_a_cancellation(
    world,
):
    users = given(world, patient(), doctor(status="verified"))
    their_doctor = Principal(doctor().user_id, "doctor", "token")

    users.consultation_news(*consultation("consultation.booked", **BOOKED))
    booked = users.patient_for(their_doctor, patient().user_id)
    users.consultation_news(*consultation("consultation.cancelled", **CANCELLED))
    # The booking's event delivered again, late: the cancellation stands.
    users.consultation_news(*consultation("consultation.booked", **BOOKED))

    assert booked.user_id == patient().user_id
    with pytest.raises(NotFound):
        users.patient_for(their_doctor, patient().user_id)


def test_anyone_else_is_told_the_patient_does_not_exist(world):
    users = given(world, patient(), doctor(status="verified"))
    users.consultation_news(*consultation("consultation.booked", **BOOKED))
    other_doctor = Principal("01DOCTOR00000000000000000B", "doctor", "token")
    other_patient = Principal("01PATIENT0000000000000000B", "patient", "token")
    admin = Principal(ADMIN, "admin", "token")

    for who in (other_doctor, other_patient):
        with pytest.raises(NotFound):
            users.patient_for(who, patient().user_id)
    # An administrator may read any patient, but a doctor's profile is no patient's.
    assert users.patient_for(admin, patient().user_id).role == "patient"
    with pytest.raises(NotFound):
        users.patient_for(admin, doctor().user_id)
