"""End to end: a consultation completed through the consultations API appears in the patient's
record, read through the records API, and its doctor may read the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from tests.support.consultations import Consultations, Table, next_slot
from tests.support.people import eventually
from tests.support.records import RecordsApi, sign_up

CLINICAL_SUMMARY = {
    "notes": "Fièvre à 39 °C, TDR paludisme positif.",
    "diagnoses": [{"code": "B54", "label": "Paludisme, sans précision"}],
    "prescriptions": [
        {
            "medicine": "Artéméther-luméfantrine 20/120 mg",
            "dose": "4 comprimés",
            "route": "orale",
            "frequency": "2 fois par jour",
            "duration": "3 jours",
        }
    ],
    "follow_up": "Revenir si la fièvre persiste après 3 jours",
}


def test_a_completed_consultation_updates_the_patients_record(platform, topic, aws_endpoint):
    patient = sign_up(platform, "patient", "Awa Traoré")
    doctor = sign_up(platform, "doctor", "Dr Moussa Keïta")
    topic.doctor_bookable(doctor)
    consultations = Consultations(platform)
    assert eventually(lambda: consultations.slots(doctor).status_code == 200, timeout=20)
    booking = consultations.as_(patient).book(
        doctor, next_slot(consultations, doctor, timedelta(days=1))
    )
    assert booking.status_code == 201, booking.text
    cid = booking.json()["id"]
    topic.payment("succeeded", booking.json())
    consultations.as_(patient).wait_for_status(cid, "confirmed")
    table_name = platform.deployment.services["consultations"].environment["TABLE_NAME"]
    dynamodb = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    Table(dynamodb.Table(table_name)).move_start(cid, datetime.now(UTC) + timedelta(minutes=5))
    dr = consultations.as_(doctor)
    assert dr.act(cid, "start").status_code == 200

    completed = dr.act(cid, "complete", CLINICAL_SUMMARY)

    assert completed.status_code == 200, completed.text
    mine = RecordsApi(platform, patient)
    encounters = eventually(
        lambda: mine.get(f"/{patient.user_id}/encounters").json()["items"], timeout=30
    )
    assert [e["id"] for e in encounters] == [cid]
    assert encounters[0]["diagnoses"] == CLINICAL_SUMMARY["diagnoses"]
    assert encounters[0]["doctor_id"] == doctor.user_id
    record = mine.get(f"/{patient.user_id}").json()
    assert [c["code"] for c in record["conditions"]] == ["B54"]
    assert [m["medicine"] for m in record["medications"]] == ["Artéméther-luméfantrine 20/120 mg"]
    by_doctor = RecordsApi(platform, doctor).get(f"/{patient.user_id}/encounters/{cid}")
    assert by_doctor.status_code == 200
    assert by_doctor.json()["notes"] == CLINICAL_SUMMARY["notes"]
