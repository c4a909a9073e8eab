"""The record kept by the domain over a MongoDB database (the stand-in, or a real server with
`KENEYA_TEST_MONGO_URL`): encounters from completed consultations, applied once; the patient's
entries; access audited; the FHIR export valid for a third-party FHIR library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle

from chalicelib.errors import InvalidEntry, RecordFull
from chalicelib.record import LIMIT, course_end
from chalicelib.service import Caller, NoAccess, NotThere, Records
from chalicelib.store import Store, ensure_indexes

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PATIENT = Caller("p-1", "patient")
DOCTOR = Caller("dr-1", "doctor")
COMPLETED = {
    "consultation_id": "c-1",
    "patient_id": "p-1",
    "doctor_id": "dr-1",
    "doctor_name": "Dr Moussa Keïta",
    "completed_at": "2026-11-28T10:30:00Z",
    "reason": "Fièvre",
    "notes": "TDR paludisme positif",
    "diagnoses": [{"code": "B54", "label": "Paludisme"}],
    "prescriptions": [{"medicine": "Artéméther-luméfantrine", "dose": "4 cp", "route": "orale",
                       "frequency": "2/j", "duration": "3 jours"}],
}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emitted() -> list[dict]:
    return []


@pytest.fixture
def records(db, emitted, clock) -> Records:
    ensure_indexes(db)
    return Records(Store(db), emitted.append, clock)


def test_a_completed_consultation_adds_an_encounter_problems_and_medications(records, emitted):
    records.on_consultation("consultation.completed", COMPLETED)

    summary = records.summary(PATIENT, "p-1")
    assert [e["_id"] for e in summary["recent_encounters"]] == ["c-1"]
    assert summary["recent_encounters"][0]["diagnoses"] == COMPLETED["diagnoses"]
    assert [(c["code"], c["status"]) for c in summary["conditions"]] == [("B54", "active")]
    assert [m["medicine"] for m in summary["medications"]] == ["Artéméther-luméfantrine"]
    assert [e["payload"] for e in emitted] == [{
        "patient_id": "p-1", "cause": "consultation", "section": "encounter",
        "item_id": "c-1", "consultation_id": "c-1",
    }]


def test_a_redelivered_completion_adds_nothing_twice(records, emitted):
    records.on_consultation("consultation.completed", COMPLETED)
    records.on_consultation("consultation.completed", COMPLETED)

    summary = records.summary(PATIENT, "p-1")
    assert len(records.encounters(PATIENT, "p-1", 50)) == 1
    assert len(summary["conditions"]) == 1
    assert len(summary["medications"]) == 1
    # Announced under one id both times: the outbox commits it once.
    assert len({e["id"] for e in emitted}) == 1
    writes = [e for e in records.audit_log(PATIENT, "p-1", 50) if e["action"] == "write"]
    assert [(e["actor_id"], e["resource"], e["via_id"]) for e in writes] == [
        ("dr-1", "encounter", "c-1")
    ]


def test_a_diagnosis_already_active_is_not_duplicated_by_a_later_consultation(records):
    records.on_consultation("consultation.completed", COMPLETED)
    records.on_consultation("consultation.completed", {**COMPLETED, "consultation_id": "c-2"})

    conditions = records.summary(PATIENT, "p-1")["conditions"]
    assert [(c["code"], c["last_consultation_id"]) for c in conditions] == [("B54", "c-2")]


def test_the_doctor_of_a_recent_consultation_reads_and_is_audited_with_it(records, clock):
    records.on_consultation("consultation.completed", COMPLETED)

    records.summary(DOCTOR, "p-1")
    clock.now = NOW + timedelta(days=31)
    with pytest.raises(NoAccess):
        records.summary(DOCTOR, "p-1")

    log = records.audit_log(PATIENT, "p-1", 10)
    assert [(e["actor_id"], e["action"], e["outcome"], e["via"]) for e in log] == [
        ("dr-1", "read", "denied", None),
        ("dr-1", "read", "allowed", "consultation"),
        ("dr-1", "write", "allowed", "consultation"),
    ]


def test_a_doctor_may_never_write_and_a_stranger_patient_is_not_audited(records):
    with pytest.raises(NoAccess):
        records.add_entry(DOCTOR, "p-1", "allergies", {"substance": "Pénicilline"})
    with pytest.raises(NoAccess):
        records.summary(Caller("p-2", "patient"), "p-1")

    assert [(e["actor_id"], e["outcome"]) for e in records.audit_log(PATIENT, "p-1", 10)] == [
        ("dr-1", "denied")
    ]


def test_only_the_patient_lists_the_access_log(records):
    records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=3))

    with pytest.raises(NoAccess):
        records.audit_log(DOCTOR, "p-1", 10)


def test_a_revoked_share_ends_the_doctors_access(records):
    share = records.share(PATIENT, "p-1", "dr-1", NOW + timedelta(days=3))
    records.summary(DOCTOR, "p-1")

    records.revoke(PATIENT, "p-1", share["_id"])

    with pytest.raises(NoAccess):
        records.summary(DOCTOR, "p-1")
    with pytest.raises(NotThere):
        records.revoke(PATIENT, "p-1", share["_id"])


def test_a_share_must_end_in_the_future(records):
    with pytest.raises(InvalidEntry) as refused:
        records.share(PATIENT, "p-1", "dr-1", NOW - timedelta(minutes=1))

    assert refused.value.field == "until"


def test_a_full_list_is_refused_rather_than_grown_without_bound(records, db):
    db.records.insert_one({
        "_id": "p-1", "revision": 1,
        "allergies": [{"id": str(i), "substance": "x", "source": "patient",
                       "recorded_at": NOW} for i in range(LIMIT)],
    })

    with pytest.raises(RecordFull):
        records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Arachide"})


def test_a_measurement_from_the_future_is_refused(records):
    with pytest.raises(InvalidEntry) as refused:
        records.add_observation(PATIENT, "p-1", {
            "kind": "weight", "unit": "kg", "value": 70, "measured_at": NOW + timedelta(hours=1),
        })

    assert refused.value.field == "measured_at"


def test_the_export_is_a_valid_fhir_r4_bundle_of_the_whole_record(records, db):
    records.on_user_registered({"user_id": "p-1", "role": "patient", "full_name": "Awa Traoré"})
    records.on_consultation("consultation.completed", COMPLETED)
    records.add_entry(PATIENT, "p-1", "allergies",
                      {"substance": "Pénicilline", "reaction": "Urticaire", "severity": "severe"})
    records.add_entry(PATIENT, "p-1", "vaccinations",
                      {"vaccine": "Fièvre jaune", "date": "2020-03-01", "dose_number": 1})
    records.add_observation(PATIENT, "p-1", {"kind": "blood_pressure", "unit": "mmHg",
                                             "systolic": 130, "diastolic": 85})
    records.add_observation(PATIENT, "p-1", {"kind": "temperature", "unit": "Cel", "value": 38.5})
    db.attachments.insert_one({
        "_id": "a-1", "patient_id": "p-1", "category": "lab_result", "title": "NFS",
        "content_type": "application/pdf", "size": 1234, "status": "available",
        "created_at": NOW, "confirmed_at": NOW,
    })

    exported = records.export(PATIENT, "p-1")

    bundle = Bundle.model_validate(exported)
    kinds = sorted(entry.resource.get_resource_type() for entry in bundle.entry)
    assert kinds == sorted([
        "Patient", "Encounter", "Condition", "MedicationRequest", "AllergyIntolerance",
        "Observation", "Observation", "Immunization", "DocumentReference",
    ])
    patient = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient")
    assert patient.name[0].text == "Awa Traoré"


def test_an_announcement_the_outbox_refused_is_published_later_by_the_sweep(db, clock):
    ensure_indexes(db)
    delivered: list[dict] = []
    outbox_down = True

    def emit(announcement: dict) -> None:
        if outbox_down:
            raise ConnectionError("outbox unreachable")
        delivered.append(announcement)

    records = Records(Store(db), emit, clock)
    entry = records.add_entry(PATIENT, "p-1", "allergies", {"substance": "Pénicilline"})
    assert delivered == []
    outbox_down = False

    too_soon = records.publish_stranded()
    clock.now = NOW + timedelta(minutes=3)
    later = records.publish_stranded()

    assert (too_soon, later) == (0, 1)
    assert [d["payload"]["item_id"] for d in delivered] == [entry["id"]]
    assert records.publish_stranded() == 0
    assert "outbox" not in records.summary(PATIENT, "p-1")


@pytest.mark.parametrize(
    ("duration", "days"),
    [("3 jours", 3), ("2 semaines", 14), ("1 mois", 30), ("10 days", 10), ("à vie", None),
     (None, None)],
)
def test_a_course_ends_after_its_prescribed_duration(duration, days):
    end = course_end(duration, NOW)

    assert end == (NOW + timedelta(days=days) if days is not None else None)


def test_a_finished_course_leaves_the_current_medications_but_stays_in_the_record(
    records, clock
):
    records.on_consultation("consultation.completed", COMPLETED)  # a 3-day course, completed
    clock.now = datetime(2026, 12, 5, tzinfo=UTC)

    summary = records.summary(PATIENT, "p-1")

    assert summary["current_medications"] == []
    assert [m["medicine"] for m in summary["medications"]] == ["Artéméther-luméfantrine"]
