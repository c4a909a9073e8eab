"""The records service's domain on a long record: a patient of ten years of care.

Builds a record of 120 encounters (each a completed consultation applied through the same code
the `consultation.completed` consumer runs), 600 vital signs, 40 attachments and full lists of
allergies and conditions, in MongoDB (`MONGO_URL` when set, else the in-process stand-in),
then times: applying one more completed consultation, reading the summary, and building the
FHIR R4 export (and its size). Prints p50/p90/max in milliseconds.

    .venv/bin/python bench/records_export.py [rounds]     (PYTHONPATH as the Makefile sets it)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in ("layers/common/python", "functions/records"):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))

from chalicelib.service import Caller, Records  # noqa: E402
from chalicelib.store import Store, ensure_indexes  # noqa: E402

PATIENT = Caller("p-bench", "patient")


def database():
    url = os.environ.get("MONGO_URL", "mongomock://")
    if url.startswith("mongomock://"):
        import mongomock

        client = mongomock.MongoClient(tz_aware=True)
    else:
        import pymongo

        client = pymongo.MongoClient(url, tz_aware=True)
    name = f"records_bench_{uuid.uuid4().hex[:8]}"
    return client, name, client[name]


def completed(i: int, at: datetime) -> dict:
    return {
        "consultation_id": f"c-{i:04d}",
        "patient_id": PATIENT.user_id,
        "doctor_id": f"dr-{i % 7}",
        "doctor_name": "Dr Moussa Keïta",
        "completed_at": at.isoformat(),
        "reason": "Fièvre et maux de tête",
        "notes": "Examen clinique sans particularité. " * 10,
        "diagnoses": [{"code": f"A{i % 90:02d}", "label": "Diagnostic"}],
        "prescriptions": [
            {
                "medicine": f"Médicament {i % 30}",
                "dose": "1 cp",
                "route": "orale",
                "frequency": "2/j",
                "duration": "5 jours",
            }
        ],
    }


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def show(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    print(
        f"{label:<34} p50 {statistics.median(ordered):7.2f} ms   p90 {p90:7.2f} ms   "
        f"max {ordered[-1]:7.2f} ms"
    )


def main(rounds: int) -> None:
    client, name, db = database()
    ensure_indexes(db)
    events: list[dict] = []
    records = Records(Store(db), events.append)
    start = datetime.now(UTC) - timedelta(days=3650)
    for i in range(120):
        records.on_consultation(
            "consultation.completed", completed(i, start + timedelta(days=30 * i))
        )
    for i in range(600):
        records.add_observation(
            PATIENT,
            PATIENT.user_id,
            {
                "kind": "weight",
                "unit": "kg",
                "value": 60 + i % 10,
                "measured_at": start + timedelta(days=6 * i),
            },
        )
    for i in range(40):
        db.attachments.insert_one(
            {
                "_id": f"a-{i}",
                "patient_id": PATIENT.user_id,
                "category": "lab_result",
                "title": f"Analyse {i}",
                "content_type": "application/pdf",
                "size": 120_000,
                "status": "available",
                "created_at": start,
                "confirmed_at": start,
            }
        )
    for i in range(30):
        records.add_entry(PATIENT, PATIENT.user_id, "allergies", {"substance": f"Substance {i}"})

    counter = iter(range(1000, 100000))
    show(
        "apply consultation.completed",
        timed(
            lambda: records.on_consultation(
                "consultation.completed", completed(next(counter), datetime.now(UTC))
            ),
            rounds,
        ),
    )
    show(
        "read the record summary", timed(lambda: records.summary(PATIENT, PATIENT.user_id), rounds)
    )
    show("build the FHIR export", timed(lambda: records.export(PATIENT, PATIENT.user_id), rounds))
    bundle = records.export(PATIENT, PATIENT.user_id)
    size = len(json.dumps(bundle, default=str))
    document = db.records.find_one({"_id": PATIENT.user_id})
    print(
        f"FHIR export: {len(bundle['entry'])} resources, {size / 1024:.0f} KiB; "
        f"record document: {len(json.dumps(document, default=str)) / 1024:.0f} KiB "
        f"({len(document['conditions'])} conditions, {len(document['medications'])} medications)"
    )
    client.drop_database(name)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
