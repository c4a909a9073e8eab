"""Consultations' participants in the service's DynamoDB table, and the arrivals in their calls
that were announced (rules in `chalicelib.calls`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.batch import Batch
from chalicelib.calls import Announced, Participants
from chalicelib.tables import PARTICIPANTS_RETENTION, PARTICIPANTS_SK, Models, consultation_pk


class ParticipantsStore:
    def __init__(self, models: Models, batch: Batch) -> None:
        self.Consultation = models.Consultation
        self.batch = batch

    def learn(self, participants: Participants) -> None:
        """Remember who the participants are; the arrivals announced stay as they were.
        Written at the end of the event (nothing in the same event reads it back)."""
        C = self.Consultation
        actions = [
            C.patient_id.set(participants.patient_id),
            C.doctor_id.set(participants.doctor_id),
        ]
        if participants.happens_at is not None:
            actions.append(C.expires_at.set(participants.happens_at + PARTICIPANTS_RETENTION))
        self.batch.write_at_end(
            C(
                pk=consultation_pk(participants.consultation_id), sk=PARTICIPANTS_SK
            ).get_update_kwargs_from_instance(actions=actions)
        )

    def get(self, consultation_id: str) -> Participants | None:
        try:
            item = self.Consultation.get(
                consultation_pk(consultation_id), PARTICIPANTS_SK, consistent_read=True
            )
        except DoesNotExist:
            return None
        if not item.patient_id or not item.doctor_id:
            return None
        return Participants(
            consultation_id=consultation_id,
            patient_id=item.patient_id,
            doctor_id=item.doctor_id,
            announced=_announced(item.announced),
        )

    def record_announced(
        self, participants: Participants, user_id: str, announced: Announced
    ) -> bool:
        """Remember `announced` as the last announced arrival of `user_id`, on condition that
        nobody recorded another since `participants` was read; False when someone did."""
        C = self.Consultation
        # What was read, encoded the one way it is written, is what must still be there.
        previous = _encoded(participants.announced)
        condition = (
            C.announced.does_not_exist() if previous is None else C.announced == previous
        )
        marks = _encoded({**participants.announced, user_id: announced})
        try:
            C(pk=consultation_pk(participants.consultation_id), sk=PARTICIPANTS_SK).update(
                actions=[C.announced.set(marks)], condition=condition
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _encoded(announced: Mapping[str, Announced]) -> str | None:
    if not announced:
        return None
    return json.dumps(
        {
            who: {"joined_at": mark.joined_at.isoformat(), "event_id": mark.event_id}
            for who, mark in announced.items()
        },
        sort_keys=True,
    )


def _announced(raw: str | None) -> dict[str, Announced]:
    return {
        who: Announced(datetime.fromisoformat(mark["joined_at"]), mark["event_id"])
        for who, mark in json.loads(raw or "{}").items()
    }
