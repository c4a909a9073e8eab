"""The records use cases on the fakes of fakes.py, without a network: the record kept by the
consultation events (once each, healing after a crash), the patient's own entries and the races
on them, shares, refusals answered as "not found" and logged, the FHIR export, attachments, and
the sweep of announcements a failure left pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.attachments import UploadRejected
from chalicelib.errors import InvalidEntry
from chalicelib.service import Caller, NoAccess, NotThere

from .fakes import RecordsWorld, records_world

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PATIENT, OTHER_PATIENT = Caller("p-1", "patient"), Caller("p-2", "patient")
DOCTOR, STRANGER = Caller("dr-1", "doctor"), Caller("dr-9", "doctor")
ADMIN = Caller("ad-1", "admin")
PDF = b"%PDF-1.7\n" + b"x" * 991
COMPLETED: dict[str, Any] = {
    "consultation_id": "c-1",
    "patient_id": "p-1",
    "doctor_id": "dr-1",
    "doctor_name": "Dr Moussa Keïta",
    "completed_at": "2026-11-28T10:30:00+00:00",
    "reason": "Fièvre",
    "notes": "TDR paludisme positif",
    "diagnoses": [{"code": "B54", "label": "Paludisme"}],
    "prescriptions": [
        {"medicine": "Artéméther-luméfantrine", "dose": "4 cp", "frequency": "2/j",
         "duration": "3 jours"}
    ],
    "follow_up": "Revenir si la fièvre persiste",
}


@pytest.fixture
def w() -> RecordsWorld:
    return records_world(NOW)


def consultation(w: RecordsWorld, kind: str, **data: Any) -> None:
    w.records.on_consultation(
        f"consultation.{kind}",
        {"consultation_id": "c-1", "patient_id": "p-1", "doctor_id": "dr-1", **data},
    )


def log_of(w: RecordsWorld, patient_id: str = "p-1") -> list[tuple[Any, ...]]:
    """The record's access log, oldest first: who, what, on what, allowed or not, and through."""
    return [
        (e["actor_id"], e["action"], e["resource"], e["outcome"], e["via"])
        for e in reversed(w.records.audit_log(Caller(patient_id, "patient"), patient_id, 200))
    ]


def uploaded(w: RecordsWorld, size: int = len(PDF)) -> dict[str, Any]:
    attachment, _ = w.records.start_upload(
        PATIENT,
        "p-1",
        {"category": "lab_result", "title": "NFS", "content_type": "application/pdf",
         "size": size},
    )
    return attachment


# -- the record kept by the consultation events ---------------------------------------------------


def test_the_doctor_reads_only_while_the_consultation_is_confirmed_and_late_events_do_not_reopen(
    w,
):
    consultation(w, "booked", status="pending_payment")
    with pytest.raises(NoAccess):
        w.records.summary(DOCTOR, "p-1")

    consultation(w, "confirmed")
    w.records.summary(DOCTOR, "p-1")
    consultation(w, "cancelled")
    consultation(w, "started")  # delivered late, after the cancellation

    with pytest.raises(NoAccess):
        w.records.summary(DOCTOR, "p-1")
    assert [(who, outcome, via) for who, _, _, outcome, via in log_of(w)] == [
        ("dr-1", "denied", None),
        ("dr-1", "allowed", "consultation"),
        ("dr-1", "denied", None),
    ]


def test_a_completion_keeps_the_encounter_its_diagnoses_and_prescriptions(w):
    consultation(w, "completed", **COMPLETED)

    encounter = w.records.encounter(PATIENT, "p-1", "c-1")
    assert (encounter["doctor_name"], encounter["reason"], encounter["follow_up"]) == (
        "Dr Moussa Keïta", "Fièvre", "Revenir si la fièvre persiste",
    )
    assert encounter["completed_at"] == datetime(2026, 11, 28, 10, 30, tzinfo=UTC)
    summary = w.records.summary(PATIENT, "p-1")
    assert [(c["code"], c["status"], c["source"]) for c in summary["conditions"]] == [
        ("B54", "active", "consultation")
    ]
    [medication] = summary["medications"]
    assert (medication["prescriber_id"], medication["ends_at"]) == (
        "dr-1", datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
    )
    assert w.outbox.payloads() == [
        {"patient_id": "p-1", "cause": "consultation", "section": "encounter", "item_id": "c-1",
         "consultation_id": "c-1"}
    ]
    assert w.store.pending("p-1") == []


def test_a_completion_without_its_time_is_dated_when_it_is_applied(w):
    consultation(w, "completed", **{**COMPLETED, "completed_at": None})

    assert w.records.encounter(PATIENT, "p-1", "c-1")["completed_at"] == NOW
    # The care link has no completion time: the 30 days of recent care cannot be counted.
    with pytest.raises(NoAccess):
        w.records.summary(DOCTOR, "p-1")


def test_the_same_completion_delivered_twice_is_applied_once(w):
    consultation(w, "completed", **COMPLETED)
    w.clock.advance(timedelta(minutes=1))
    consultation(w, "completed", **COMPLETED)

    assert len(w.records.encounters(PATIENT, "p-1", 50)) == 1
    summary = w.records.summary(PATIENT, "p-1")
    assert (len(summary["conditions"]), len(summary["medications"])) == (1, 1)
    assert len(w.outbox.committed) == 1
    assert [entry for entry in log_of(w) if entry[1] == "write"] == [
        ("dr-1", "write", "encounter", "allowed", "consultation")
    ]


def test_a_completion_that_failed_halfway_is_completed_by_its_redelivery(w):
    w.store.failing_writes = 1
    with pytest.raises(ConnectionError):
        consultation(w, "completed", **COMPLETED)
    assert w.records.summary(PATIENT, "p-1")["conditions"] == []

    consultation(w, "completed", **COMPLETED)

    summary = w.records.summary(PATIENT, "p-1")
    assert [c["code"] for c in summary["conditions"]] == ["B54"]
    assert len(w.records.encounters(PATIENT, "p-1", 50)) == 1
    assert len(w.outbox.committed) == 1


def test_a_condition_the_patient_resolved_is_not_reopened_by_a_redelivered_completion(w):
    consultation(w, "completed", **COMPLETED)

    changed = w.records.update_entry(PATIENT, "p-1", "conditions", "c-1:B54",
                                     {"status": "resolved"})
    consultation(w, "completed", **COMPLETED)

    assert (changed["status"], changed["source"]) == ("resolved", "consultation")
    assert [(c["id"], c["status"]) for c in w.records.summary(PATIENT, "p-1")["conditions"]] == [
        ("c-1:B54", "resolved")
    ]


def test_a_registered_patient_gets_a_profile_and_a_registered_doctor_none(w):
    w.records.on_user_registered({"user_id": "p-1", "role": "patient", "full_name": "Awa Traoré"})
    w.records.on_user_registered({"user_id": "dr-1", "role": "doctor", "full_name": "Dr Keïta"})

    assert w.records.summary(PATIENT, "p-1")["profile"] == {
        "full_name": "Awa Traoré", "language": "fr",
    }
    assert "dr-1" not in w.store.records


# -- the patient's own entries --------------------------------------------------------------------


def test_the_patient_adds_corrects_and_removes_an_entry_each_change_announced(w):
    added = w.records.add_entry(PATIENT, "p-1", "medications", {"medicine": "Paracétamol",
                                                                "status": "active"})
    w.records.update_entry(PATIENT, "p-1", "medications", added["id"], {"status": "stopped"})
    kept = w.records.summary(PATIENT, "p-1")["medications"]
    w.records.remove_entry(PATIENT, "p-1", "medications", added["id"])

    assert (added["source"], added["recorded_at"]) == ("patient", NOW)
    assert [(m["medicine"], m["status"]) for m in kept] == [("Paracétamol", "stopped")]
    assert w.records.summary(PATIENT, "p-1")["medications"] == []
    assert [(p["section"], p["item_id"], p["cause"]) for p in w.outbox.payloads()] == [
        ("medications", added["id"], "patient")
    ] * 3
    assert [entry[1:] for entry in log_of(w) if entry[1] == "write"] == [
        ("write", "medications", "allowed", "owner")
    ] * 3


def test_changing_or_removing_an_entry_that_is_not_there_changes_nothing(w):
    added = w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Pénicilline"})
    w.records.remove_entry(PATIENT, "p-1", "allergies", added["id"])

    with pytest.raises(NotThere):
        w.records.remove_entry(PATIENT, "p-1", "allergies", added["id"])
    with pytest.raises(NotThere):
        w.records.update_entry(PATIENT, "p-1", "conditions", "nope", {"status": "resolved"})
    assert len(w.outbox.committed) == 2
    assert w.store.records["p-1"]["revision"] == 2


def test_a_doctor_in_care_reads_but_never_writes_and_is_refused_before_the_value_is_checked(w):
    consultation(w, "confirmed")
    w.records.summary(DOCTOR, "p-1")

    with pytest.raises(NoAccess):
        w.records.add_entry(DOCTOR, "p-1", "allergies", {"substance": "Arachide"})
    with pytest.raises(NoAccess):
        # An implausible value: a doctor may not write, so learns nothing of what is wrong.
        w.records.add_observation(DOCTOR, "p-1", {"kind": "weight", "unit": "kg", "value": -1})
    assert w.records.summary(PATIENT, "p-1")["allergies"] == []
    assert w.outbox.committed == {}
    assert [entry[1:4] for entry in log_of(w) if entry[0] == "dr-1"] == [
        ("read", "record", "allowed"),
        ("write", "allergies", "denied"),
        ("write", "observations", "denied"),
    ]


def test_a_write_that_lost_a_race_is_computed_again_and_both_entries_are_kept(w):
    w.store.interleave(
        lambda: w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Arachide"})
    )

    w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Pénicilline"})

    allergies = w.records.summary(PATIENT, "p-1")["allergies"]
    assert [a["substance"] for a in allergies] == ["Arachide", "Pénicilline"]
    assert len(w.outbox.committed) == 2


def test_a_record_that_keeps_changing_is_refused_without_writing(w):
    for _ in range(10):
        w.store.interleave(lambda: w.store.touch("p-1"))

    with pytest.raises(RuntimeError):
        w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Pénicilline"})

    assert "allergies" not in w.store.records["p-1"]
    assert (w.store.pending("p-1"), w.outbox.committed) == ([], {})


def test_a_measurement_is_kept_in_its_canonical_unit_and_announced(w):
    observation = w.records.add_observation(
        PATIENT, "p-1", {"kind": "temperature", "unit": "[degF]", "value": 101.3}
    )

    [latest] = w.records.summary(PATIENT, "p-1")["latest_vitals"]
    assert (latest["_id"], latest["unit"], latest["measured_at"]) == (observation["_id"], "Cel",
                                                                      NOW)
    assert [(p["section"], p["item_id"]) for p in w.outbox.payloads()] == [
        ("observations", observation["_id"])
    ]


# -- shares ---------------------------------------------------------------------------------------


def test_a_share_lets_its_doctor_read_until_its_date(w):
    share = w.records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=3))

    w.records.encounters(DOCTOR, "p-1", 10)
    w.clock.advance(timedelta(days=3))

    with pytest.raises(NoAccess):
        w.records.encounters(DOCTOR, "p-1", 10)
    read = next(e for e in w.store.audit_log if e["actor_id"] == "dr-1")
    assert (read["outcome"], read["via"], read["via_id"]) == ("allowed", "share", share["_id"])


def test_a_share_lasts_a_year_at_most(w):
    w.records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=366))

    with pytest.raises(InvalidEntry) as refused:
        w.records.share(PATIENT, "p-1", "dr-2", NOW + timedelta(days=366, seconds=1))

    assert (refused.value.field, refused.value.code) == ("until", "too_long")
    assert [s["doctor_id"] for s in w.records.shares(PATIENT, "p-1")] == ["dr-1"]


def test_a_share_is_revoked_only_by_its_patient_and_only_in_their_record(w):
    share = w.records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=3))

    with pytest.raises(NoAccess):
        w.records.revoke(OTHER_PATIENT, "p-1", share["_id"])
    with pytest.raises(NotThere):
        w.records.revoke(OTHER_PATIENT, "p-2", share["_id"])
    with pytest.raises(NoAccess):
        w.records.revoke(DOCTOR, "p-1", share["_id"])
    w.records.summary(DOCTOR, "p-1")
    w.records.revoke(PATIENT, "p-1", share["_id"])

    with pytest.raises(NoAccess):
        w.records.summary(DOCTOR, "p-1")
    assert w.records.shares(PATIENT, "p-1")[0]["revoked_at"] == NOW


def test_a_doctor_with_a_share_sees_neither_the_shares_nor_the_access_log(w):
    w.records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=3))

    with pytest.raises(NoAccess):
        w.records.shares(DOCTOR, "p-1")
    with pytest.raises(NoAccess):
        w.records.audit_log(DOCTOR, "p-1", 10)


# -- refusals -------------------------------------------------------------------------------------


def test_strangers_are_refused_as_if_there_were_no_record_and_professionals_are_logged(w):
    consultation(w, "completed", **COMPLETED)

    for who in (STRANGER, ADMIN, OTHER_PATIENT):
        with pytest.raises(NoAccess):
            w.records.encounter(who, "p-1", "c-1")
    with pytest.raises(NotThere):
        w.records.encounter(PATIENT, "p-1", "c-404")

    assert [entry for entry in log_of(w) if entry[3] == "denied"] == [
        ("dr-9", "read", "encounter", "denied", None),
        ("ad-1", "read", "encounter", "denied", None),
    ]


def test_the_fhir_export_is_for_who_may_read_the_record(w):
    w.records.on_user_registered({"user_id": "p-1", "role": "patient", "full_name": "Awa Traoré"})
    consultation(w, "completed", **COMPLETED)

    with pytest.raises(NoAccess):
        w.records.export(STRANGER, "p-1")
    bundle = w.records.export(DOCTOR, "p-1")

    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = sorted(entry["resource"]["resourceType"] for entry in bundle["entry"])
    assert kinds == ["Condition", "Encounter", "MedicationRequest", "Patient"]
    assert [entry for entry in log_of(w) if entry[2] == "fhir_export"] == [
        ("dr-9", "read", "fhir_export", "denied", None),
        ("dr-1", "read", "fhir_export", "allowed", "consultation"),
    ]


# -- attachments ----------------------------------------------------------------------------------


def test_an_upload_starts_pending_with_a_form_for_exactly_what_was_declared(w):
    attachment, form = w.records.start_upload(
        PATIENT, "p-1",
        {"category": "lab_result", "title": "NFS", "content_type": "application/pdf",
         "size": 1000},
    )

    assert attachment["key"] == f"records/p-1/{attachment['_id']}"
    assert (attachment["status"], attachment["discard_at"]) == ("pending", NOW + timedelta(days=1))
    assert form["headers"] == {"Content-Type": "application/pdf", "Content-Length": "1000"}
    assert w.records.attachments(PATIENT, "p-1", 10) == []
    with pytest.raises(NotThere):
        w.records.download(PATIENT, "p-1", attachment["_id"])
    with pytest.raises(NoAccess):
        w.records.start_upload(DOCTOR, "p-1", {"category": "other", "title": "x",
                                               "content_type": "image/png", "size": 10})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "not_uploaded"),
        (PDF + b"more than declared", "wrong_size"),
        (b"\x89PNG\r\n\x1a\n" + b"x" * (len(PDF) - 8), "wrong_content"),
    ],
)
def test_an_upload_that_is_not_what_was_declared_is_refused_and_stays_out_of_the_record(
    w, content, reason
):
    attachment = uploaded(w)
    if content is not None:
        w.bucket.put(attachment["key"], content)

    with pytest.raises(UploadRejected) as refused:
        w.records.confirm_upload(PATIENT, "p-1", attachment["_id"])

    assert refused.value.reason == reason
    assert attachment["key"] not in w.bucket.objects
    assert w.store.attachment("p-1", attachment["_id"])["status"] == "pending"
    assert w.records.attachments(PATIENT, "p-1", 10) == []
    assert w.outbox.committed == {}


def test_a_confirmed_upload_joins_the_record_once_and_its_readers_download_it(w):
    attachment = uploaded(w)
    w.bucket.put(attachment["key"], PDF)

    confirmed = w.records.confirm_upload(PATIENT, "p-1", attachment["_id"])
    again = w.records.confirm_upload(PATIENT, "p-1", attachment["_id"])
    w.records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=1))
    download = w.records.download(DOCTOR, "p-1", attachment["_id"])

    assert (confirmed["status"], confirmed["size"], "discard_at" in confirmed) == (
        "available", len(PDF), False,
    )
    assert again == confirmed
    assert w.bucket.checked == [attachment["key"]]
    assert [(p["cause"], p["item_id"]) for p in w.outbox.payloads()] == [
        ("attachment", attachment["_id"])
    ]
    assert download["download_url"].startswith(f"https://bucket.test/{attachment['key']}")
    with pytest.raises(NoAccess):
        w.records.download(STRANGER, "p-1", attachment["_id"])


# -- announcements left pending -------------------------------------------------------------------


def test_the_sweep_announces_what_an_outage_left_pending_once_it_is_old_enough(w):
    w.outbox.down = True
    first = w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Pénicilline"})
    w.clock.advance(timedelta(minutes=1))
    second = w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Arachide"})
    w.records.add_entry(OTHER_PATIENT, "p-2", "allergies", {"substance": "Latex"})
    w.outbox.down = False

    w.clock.advance(timedelta(minutes=1, seconds=30))
    swept = w.records.publish_stranded()

    # p-1's first announcement is stranded, and the younger one behind it goes with it; p-2's
    # is still young: its own request may yet hand it over.
    assert swept == 2
    assert [p["item_id"] for p in w.outbox.payloads()] == [first["id"], second["id"]]
    assert (w.store.pending("p-1"), len(w.store.pending("p-2"))) == ([], 1)
    w.clock.advance(timedelta(minutes=1))
    assert (w.records.publish_stranded(), w.records.publish_stranded()) == (1, 0)


def test_an_announcement_that_fails_again_holds_back_the_ones_behind_it(w):
    w.outbox.down = True
    entries = [
        w.records.add_entry(PATIENT, "p-1", "allergies", {"substance": s})
        for s in ("Pénicilline", "Arachide")
    ]
    w.outbox.down, w.outbox.failing = False, 1
    w.clock.advance(timedelta(minutes=5))

    assert w.records.publish_stranded() == 0
    assert [a["payload"]["item_id"] for a in w.store.pending("p-1")] == [e["id"] for e in entries]
    assert w.records.publish_stranded() == 2
    assert [p["item_id"] for p in w.outbox.payloads()] == [e["id"] for e in entries]
    # The changes themselves were kept all along.
    assert len(w.records.summary(PATIENT, "p-1")["allergies"]) == 2
