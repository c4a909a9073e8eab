"""Reaching the signaling service on the local platform: rooms opened as the consultations
service opens them, the WebSocket API with real clients, the ICE servers over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from websockets.sync.client import connect

from tests.support.consultations import Topic
from tests.support.notifications import Socket
from tests.support.people import Person, eventually

__all__ = ["Person", "Room", "Socket", "eventually", "ice_servers", "open_socket", "turn_secret"]


def open_socket(platform: Any, token: str | None, consultation_id: str | None) -> Socket:
    """A connected client of the signaling API; use it as a context manager."""
    query = {
        name: value
        for name, value in (("token", token), ("consultation_id", consultation_id))
        if value is not None
    }
    url = platform.websocket_url("signaling") + (f"?{urlencode(query)}" if query else "")
    return Socket(connect(url, open_timeout=10, max_size=2**20))


def ice_servers(
    platform: Any, who: Person | None, consultation_id: str | None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {who.token}"} if who else {}
    params = {"consultation_id": consultation_id} if consultation_id is not None else {}
    return requests.get(
        platform.url("signaling", "/ice-servers"), headers=headers, params=params, timeout=10
    )


def turn_secret(platform: Any) -> str:
    """The secret the signaling service shares with its TURN servers (Secrets Manager)."""
    import boto3

    arn = platform.deployment.services["signaling"].environment["TURN_SECRET_ARN"]
    secrets = boto3.client(
        "secretsmanager", endpoint_url=platform.aws_endpoint, region_name="us-east-1"
    )
    return secrets.get_secret_value(SecretId=arn)["SecretString"]


class Room:
    """A consultation's room, opened and closed by publishing the consultation's events as the
    consultations service does."""

    def __init__(self, topic: Topic, doctor: Person, patient: Person) -> None:
        self.topic = topic
        self.doctor = doctor
        self.patient = patient
        self.consultation_id = f"c-{uuid.uuid4().hex[:16]}"

    def _ref(self) -> dict[str, Any]:
        return {
            "consultation_id": self.consultation_id,
            "doctor_id": self.doctor.user_id,
            "patient_id": self.patient.user_id,
        }

    def open(self, platform: Any) -> Room:
        self.topic.publish(
            "consultation.started",
            {
                **self._ref(),
                "room_id": uuid.uuid4().hex,
                "mode": "video",
                "started_at": datetime.now(UTC).isoformat(),
            },
            source="consultations",
        )
        assert eventually(
            lambda: ice_servers(platform, self.doctor, self.consultation_id).status_code == 200,
            timeout=30,
        ), "consultation.started did not open the room"
        return self

    def close(self, event_type: str = "consultation.completed") -> None:
        data: dict[str, Any] = self._ref()
        now = datetime.now(UTC).isoformat()
        if event_type == "consultation.completed":
            data |= {"completed_at": now, "reason": "Fièvre"}
        elif event_type == "consultation.cancelled":
            data |= {"cancelled_by": "doctor", "refund_due": False, "fee_xof": 0}
        else:
            data |= {"starts_at": now}
        self.topic.publish(event_type, data, source="consultations")
