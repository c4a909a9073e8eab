"""Who may open a record, over HTTP: a matrix of callers by resources. The patient everything;
the doctor of a confirmed, in-progress or recently completed consultation, or with an active
share, reads only; administrators, other patients, other doctors get 404 (as if it did not
exist); without a token, 401. Every access is in the patient's access log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.consultations import sign_up_admin
from tests.support.people import eventually
from tests.support.records import RecordsApi, iso, sign_up

READS = ["", "/encounters", "/observations", "/attachments", "/fhir", "/shares"]


@pytest.fixture(scope="module")
def people(topic, platform, aws_endpoint):
    """One patient and everyone who might want their record (shared by this module's tests,
    which only read it or add to it: accounts are slow to create)."""
    patient = sign_up(platform, "patient", "Awa Traoré")
    doctors = {
        kind: sign_up(platform, "doctor", f"Dr {kind}")
        for kind in (
            "confirmed",
            "started",
            "completed",
            "cancelled",
            "pending",
            "shared",
            "revoked",
            "stranger",
        )
    }
    for kind in ("confirmed", "started", "completed", "cancelled"):
        topic.consultation(kind, patient, doctors[kind])
    topic.consultation(
        "booked",
        patient,
        doctors["pending"],
        status="pending_payment",
        payment_due_at="2030-01-01T00:00:00Z",
    )
    me = RecordsApi(platform, patient)
    until = iso(datetime.now(UTC) + timedelta(days=30))
    shared = me.post(
        f"/{patient.user_id}/shares", {"doctor_id": doctors["shared"].user_id, "until": until}
    )
    revoked = me.post(
        f"/{patient.user_id}/shares", {"doctor_id": doctors["revoked"].user_id, "until": until}
    )
    assert (shared.status_code, revoked.status_code) == (201, 201), revoked.text
    assert me.delete(f"/{patient.user_id}/shares/{revoked.json()['id']}").status_code == 204
    # Consultation events are applied asynchronously, in any order: wait for every reader.
    for kind in ("confirmed", "started", "completed", "shared"):
        assert RecordsApi(platform, doctors[kind]).wait_for_access(patient).status_code == 200
    return {
        "patient": patient,
        "other_patient": sign_up(platform, "patient", "Fatoumata Diarra"),
        "admin": sign_up_admin(platform, aws_endpoint),
        **doctors,
    }


def test_the_access_matrix(api, people):
    patient = people["patient"]
    readers = {"patient", "confirmed", "started", "completed", "shared"}
    expected_reads = {name: (200 if name in readers else 404) for name in people}
    expected_reads["patient"] = 200

    reads = {
        name: {
            path: api.as_(who).get(f"/{patient.user_id}{path}").status_code
            for path in READS
            if not (path == "/shares" and name != "patient")
        }
        for name, who in people.items()
    }
    writes = {
        name: api.as_(who)
        .post(f"/{patient.user_id}/allergies", {"substance": "Sulfamides"})
        .status_code
        for name, who in people.items()
    }
    anonymous = api.get(f"/{patient.user_id}").status_code

    assert reads == {
        name: {
            path: expected_reads[name]
            for path in READS
            if not (path == "/shares" and name != "patient")
        }
        for name in people
    }
    assert writes == {name: (201 if name == "patient" else 404) for name in people}
    assert anonymous == 401


def test_a_doctor_never_sees_the_shares_nor_the_access_log(api, people):
    patient, doctor = people["patient"], people["confirmed"]
    api.as_(doctor).wait_for_access(patient)

    assert api.as_(doctor).get(f"/{patient.user_id}/shares").status_code == 404
    assert api.as_(doctor).get(f"/{patient.user_id}/access-log").status_code == 404


def test_the_patient_sees_who_read_their_record_and_through_what(api, people):
    patient, doctor, stranger = people["patient"], people["started"], people["stranger"]
    api.as_(doctor).wait_for_access(patient)
    api.as_(doctor).get(f"/{patient.user_id}/fhir")
    api.as_(stranger).get(f"/{patient.user_id}")
    api.as_(people["admin"]).get(f"/{patient.user_id}")
    api.as_(people["other_patient"]).get(f"/{patient.user_id}")

    log = api.as_(patient).get(f"/{patient.user_id}/access-log").json()["items"]

    mine = [
        (e["actor_id"], e["role"], e["action"], e["resource"], e["outcome"], e["via"]) for e in log
    ]
    assert (doctor.user_id, "doctor", "read", "fhir_export", "allowed", "consultation") in mine
    assert (doctor.user_id, "doctor", "read", "record", "allowed", "consultation") in mine
    assert (stranger.user_id, "doctor", "read", "record", "denied", None) in mine
    assert (people["admin"].user_id, "admin", "read", "record", "denied", None) in mine
    assert all(e["actor_id"] != people["other_patient"].user_id for e in log)
    via = next(e for e in log if e["resource"] == "fhir_export")
    assert via["via_id"] and via["at"].endswith("Z")


def test_the_access_log_cannot_be_changed_through_the_api(api, people):
    patient = people["patient"]
    me = api.as_(patient)
    me.get(f"/{patient.user_id}")
    before = me.get(f"/{patient.user_id}/access-log").json()["items"]
    entry = before[0]["id"]

    attempts = [
        me.delete(f"/{patient.user_id}/access-log"),
        me.delete(f"/{patient.user_id}/access-log/{entry}"),
        me.call("PUT", f"/{patient.user_id}/access-log/{entry}", {"actor_id": "nobody"}),
        me.post(f"/{patient.user_id}/access-log", {"actor_id": "nobody"}),
    ]

    statuses = [a.status_code for a in attempts]
    assert all(status in (403, 404, 405) for status in statuses), statuses
    after = eventually(lambda: me.get(f"/{patient.user_id}/access-log").json()["items"])
    assert {e["id"] for e in before} <= {e["id"] for e in after}
