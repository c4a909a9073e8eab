"""The records API over HTTP on the whole platform: the record updated by a completed
consultation, the patient's entries with their checks, attachments through presigned S3 URLs,
the FHIR export, idempotent redelivery."""

from __future__ import annotations

import contextlib
import uuid

import requests
from fhir.resources.R4B.bundle import Bundle

from tests.support.people import eventually
from tests.support.records import SUMMARY

FAKE_PNG = b"MZ\x90\x00 an executable, not a picture"
PDF = b"%PDF-1.4\n% Keneya test document\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_patient_adds_an_allergy_and_reads_it_back(api, new_person):
    patient = new_person()
    me = api.as_(patient)

    added = me.post(
        f"/{patient.user_id}/allergies",
        {"substance": "Pénicilline", "reaction": "Urticaire", "severity": "severe"},
    )
    record = me.get(f"/{patient.user_id}")

    assert added.status_code == 201, added.text
    assert record.status_code == 200, record.text
    assert [a["substance"] for a in record.json()["allergies"]] == ["Pénicilline"]
    assert record.headers["Cache-Control"] == "no-store"


def test_an_implausible_vital_sign_is_a_422_naming_the_field(api, new_person):
    patient = new_person()

    response = api.as_(patient).post(
        f"/{patient.user_id}/observations", {"kind": "spo2", "unit": "%", "value": 120}
    )

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("value", "out_of_range")
    ]


def test_an_unknown_allergy_severity_is_a_422_naming_the_field(api, new_person):
    patient = new_person()

    response = api.as_(patient).post(
        f"/{patient.user_id}/allergies", {"substance": "Arachide", "severity": "deadly"}
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["severity"]


def test_a_completed_consultation_redelivered_adds_one_encounter(api, new_person, topic, published):
    patient, doctor = new_person(), new_person("doctor", "Dr Moussa Keïta")
    completed = topic.consultation("completed", patient, doctor)

    topic.send(completed)  # the same event again, as SQS may redeliver it
    topic.consultation("completed", patient, doctor, completed.data["consultation_id"])
    me = api.as_(patient)
    path = f"/{patient.user_id}/encounters"
    seen = eventually(lambda: me.get(path).json()["items"], timeout=20)

    assert [e["id"] for e in seen] == [completed.data["consultation_id"]]
    record = me.get(f"/{patient.user_id}").json()
    assert [c["code"] for c in record["conditions"]] == ["B54"]
    assert len(record["medications"]) == 1
    encounter = me.get(f"{path}/{completed.data['consultation_id']}").json()
    assert (encounter["reason"], encounter["doctor_name"]) == (SUMMARY["reason"], doctor.full_name)
    cid = completed.data["consultation_id"]
    published.wait_for("record.updated", consultation_id=cid, timeout=30)
    with contextlib.suppress(AssertionError):  # give a second announcement time to show up
        published.wait_for("record.updated", timeout=2, consultation_id=cid, item_id="none")
    assert len(published.all_of("record.updated", consultation_id=cid)) == 1


def test_an_attachment_goes_up_and_down_through_presigned_urls(api, new_person):
    patient = new_person()
    me = api.as_(patient)

    started = me.post(
        f"/{patient.user_id}/attachments",
        {
            "category": "lab_result",
            "title": "NFS novembre",
            "content_type": "application/pdf",
            "size": len(PDF),
        },
    )
    assert started.status_code == 201, started.text
    attachment = started.json()
    listed_before = me.get(f"/{patient.user_id}/attachments").json()["items"]
    upload = attachment["upload"]
    uploaded = requests.put(upload["url"], data=PDF, headers=upload["headers"], timeout=30)
    confirmed = me.post(f"/{patient.user_id}/attachments/{attachment['id']}/confirm")
    download = me.get(f"/{patient.user_id}/attachments/{attachment['id']}")
    content = requests.get(download.json()["download_url"], timeout=30)

    assert listed_before == []
    assert uploaded.status_code == 200, uploaded.text
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["size"]) == ("available", len(PDF))
    assert content.content == PDF
    assert "key" not in confirmed.json()


def test_a_file_that_is_not_what_it_claims_is_refused_at_confirmation(api, new_person):
    patient = new_person()
    me = api.as_(patient)
    attachment = me.post(
        f"/{patient.user_id}/attachments",
        {
            "category": "imaging_report",
            "title": "Radio",
            "content_type": "image/png",
            "size": len(FAKE_PNG),
        },
    ).json()
    upload = attachment["upload"]
    requests.put(upload["url"], data=FAKE_PNG, headers=upload["headers"], timeout=30)

    confirmed = me.post(f"/{patient.user_id}/attachments/{attachment['id']}/confirm")

    assert confirmed.status_code == 422
    assert confirmed.json()["errors"][0]["code"] == "wrong_content"
    assert me.get(f"/{patient.user_id}/attachments/{attachment['id']}").status_code == 404


def test_the_fhir_export_validates_as_an_r4_bundle(api, new_person, topic):
    patient, doctor = new_person(), new_person("doctor", "Dr Awa Diallo")
    me = api.as_(patient)
    completed = topic.consultation("completed", patient, doctor)
    me.post(f"/{patient.user_id}/vaccinations", {"vaccine": "BCG", "date": "2001-05-02"})
    me.post(
        f"/{patient.user_id}/observations",
        {"kind": "blood_pressure", "unit": "mmHg", "systolic": 125, "diastolic": 80},
    )
    eventually(lambda: me.get(f"/{patient.user_id}/encounters").json()["items"], timeout=20)

    response = me.get(f"/{patient.user_id}/fhir")

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    types = {e.resource.get_resource_type() for e in bundle.entry}
    assert {
        "Patient",
        "Encounter",
        "Condition",
        "MedicationRequest",
        "Observation",
        "Immunization",
    } <= types
    encounter = next(
        e.resource for e in bundle.entry if e.resource.get_resource_type() == "Encounter"
    )
    assert encounter.id == completed.data["consultation_id"]


def test_a_record_of_an_unknown_patient_and_an_unknown_section_are_404(api, new_person):
    patient = new_person()
    me = api.as_(patient)

    in_french = me.get(f"/{uuid.uuid4().hex}")
    in_english = me.call("GET", f"/{uuid.uuid4().hex}", headers={"Accept-Language": "en-GB"})

    assert (in_french.status_code, in_english.status_code) == (404, 404)
    assert in_french.json()["detail"] == "Ce dossier ou cet élément n'existe pas."
    assert in_english.json()["detail"] == "No such record or item."
    assert me.post(f"/{patient.user_id}/secrets", {"x": 1}).status_code == 404


def test_a_file_over_the_size_limit_gets_no_upload_url(api, new_person):
    patient = new_person()

    response = api.as_(patient).post(
        f"/{patient.user_id}/attachments",
        {
            "category": "lab_result",
            "title": "Scanner",
            "content_type": "application/pdf",
            "size": 50 * 1024 * 1024,
        },
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["size"]


def test_record_updated_names_what_changed_without_clinical_content(
    api, new_person, topic, published
):
    patient, doctor = new_person(), new_person("doctor", "Dr Awa Diallo")
    completed = topic.consultation("completed", patient, doctor)
    added = api.as_(patient).post(f"/{patient.user_id}/allergies", {"substance": "Pénicilline"})

    by_consultation = published.wait_for(
        "record.updated", patient_id=patient.user_id, cause="consultation", timeout=30
    )
    by_patient = published.wait_for(
        "record.updated", patient_id=patient.user_id, cause="patient", timeout=30
    )

    assert by_consultation.data == {
        "patient_id": patient.user_id,
        "cause": "consultation",
        "section": "encounter",
        "consultation_id": completed.data["consultation_id"],
        "item_id": completed.data["consultation_id"],
    }
    assert by_patient.data == {
        "patient_id": patient.user_id,
        "cause": "patient",
        "section": "allergies",
        "consultation_id": None,
        "item_id": added.json()["id"],
    }
    assert "Pénicilline" not in by_patient.to_json()


def test_a_patient_resolves_a_condition_and_removes_an_allergy(api, new_person):
    patient = new_person()
    me = api.as_(patient)
    base = f"/{patient.user_id}"
    condition = me.post(f"{base}/conditions", {"label": "Hypertension", "code": "I10"}).json()
    allergy = me.post(f"{base}/allergies", {"substance": "Arachide"}).json()

    resolved = me.call("PATCH", f"{base}/conditions/{condition['id']}", {"status": "resolved"})
    removed = me.delete(f"{base}/allergies/{allergy['id']}")
    removed_again = me.delete(f"{base}/allergies/{allergy['id']}")
    record = me.get(base).json()

    assert (resolved.status_code, resolved.json()["status"]) == (200, "resolved")
    assert (removed.status_code, removed_again.status_code) == (204, 404)
    assert [(c["code"], c["status"]) for c in record["conditions"]] == [("I10", "resolved")]
    assert record["allergies"] == []


def test_vital_signs_are_listed_newest_first_by_kind_in_their_canonical_unit(api, new_person):
    patient = new_person()
    me = api.as_(patient)
    base = f"/{patient.user_id}/observations"
    me.post(
        base,
        {
            "kind": "temperature",
            "unit": "[degF]",
            "value": 100.4,
            "measured_at": "2026-11-01T08:00:00Z",
        },
    )
    me.post(
        base,
        {
            "kind": "temperature",
            "unit": "Cel",
            "value": 37.0,
            "measured_at": "2026-11-02T08:00:00Z",
        },
    )
    me.post(base, {"kind": "weight", "unit": "kg", "value": 64.5})

    temperatures = me.get(base, kind="temperature").json()["items"]

    assert [(t["value"], t["unit"], t["measured_at"]) for t in temperatures] == [
        (37.0, "Cel", "2026-11-02T08:00:00.000Z"),
        (38.0, "Cel", "2026-11-01T08:00:00.000Z"),
    ]
    latest = {v["kind"] for v in me.get(f"/{patient.user_id}").json()["latest_vitals"]}
    assert latest == {"temperature", "weight"}
