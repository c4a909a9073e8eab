"""What the records service's HTTP tests use: people with real accounts (through the auth API),
the consultations service's events published as it would, and the records API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from keneya.events import Event
from tests.support.consultations import Topic as ConsultationsTopic
from tests.support.consultations import iso, sign_up
from tests.support.people import Person, eventually

__all__ = ["Person", "RecordsApi", "Topic", "eventually", "iso", "sign_up"]

SUMMARY = {
    "reason": "Fièvre et maux de tête depuis deux jours",
    "notes": "Fièvre à 39 °C, TDR paludisme positif.",
    "diagnoses": [{"code": "B54", "label": "Paludisme, sans précision"}],
    "prescriptions": [
        {
            "medicine": "Artéméther-luméfantrine 20/120 mg",
            "dose": "4 comprimés",
            "route": "orale",
            "frequency": "2 fois par jour",
            "duration": "3 jours",
            "instructions": "Pendant un repas",
        }
    ],
    "follow_up": "Revenir si la fièvre persiste après 3 jours",
}


class Topic(ConsultationsTopic):
    """Publishes events as the consultations and auth services would."""

    def consultation(
        self,
        kind: str,
        patient: Person,
        doctor: Person,
        consultation_id: str | None = None,
        **fields: Any,
    ) -> Event:
        """`consultation.<kind>` between them; returns the event (its data has the id)."""
        now = datetime.now(UTC)
        data: dict[str, Any] = {
            "consultation_id": consultation_id or f"c-{uuid.uuid4().hex[:16]}",
            "patient_id": patient.user_id,
            "doctor_id": doctor.user_id,
            "doctor_name": doctor.full_name,
        }
        starts = {"starts_at": iso(now + timedelta(hours=1))}
        data.update(
            {
                "booked": {
                    **starts,
                    "ends_at": iso(now + timedelta(hours=1, minutes=30)),
                    "mode": "video",
                    "fee_xof": 5000,
                    "status": "confirmed",
                },
                "confirmed": starts,
                "started": {
                    "room_id": f"room-{uuid.uuid4().hex[:8]}",
                    "mode": "video",
                    "started_at": iso(now),
                },
                "completed": {"completed_at": iso(now), **SUMMARY},
                "cancelled": {
                    "cancelled_by": "patient",
                    "refund_due": True,
                    "fee_xof": 5000,
                    "reason": "patient_request",
                },
                "expired": starts,
                "no_show": starts,
            }[kind]
        )
        data.update(fields)
        return self.publish(f"consultation.{kind}", data, source="consultations")


class RecordsApi:
    """The records API, as one person sees it."""

    def __init__(self, platform: Any, who: Person | None = None) -> None:
        self.platform = platform
        self.who = who
        self.http = requests.Session()

    def as_(self, who: Person | None) -> RecordsApi:
        return RecordsApi(self.platform, who)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        headers = dict(headers or {})
        if self.who:
            headers["Authorization"] = f"Bearer {self.who.token}"
        return self.http.request(
            method,
            self.platform.url("records", path),
            json=body,
            params=params,
            headers=headers,
            timeout=60,
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return self.call("POST", path, body)

    def delete(self, path: str) -> requests.Response:
        return self.call("DELETE", path)

    def wait_for_access(self, patient: Person, timeout: float = 20) -> requests.Response:
        """The record, once this person may read it (events are applied asynchronously)."""
        return eventually(
            lambda: (r := self.get(f"/{patient.user_id}")).status_code == 200 and r,
            timeout=timeout,
        ) or self.get(f"/{patient.user_id}")
