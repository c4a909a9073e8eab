"""The records service's MongoDB documents, designed from how they are read.

- `records`: one document per patient (`_id` = patient id): the profile copied from the auth
  service's event and the bounded current-state lists (see `chalicelib.record`).
- `encounters` (`_id` = consultation id, so a redelivered completion inserts nothing),
  `observations`, `attachments`: one document each, read newest first per patient.
- `care` (`_id` = consultation id): the consultation's care status, what doctor access rests on.
- `shares`: the patient's explicit grants to one doctor.
- `audit`: append-only; nothing in this service updates or deletes it.

The client is created once per process (`keneya.stores.mongo_client`) and reused across
invocations; indexes are created on first use in a process (creating an existing index is a
no-op in MongoDB).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from chalicelib.access import CareLink, Share, moves_forward

DEFAULT_DATABASE = "keneya_records"
INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {
    "encounters": [([("patient_id", 1), ("completed_at", -1)], {})],
    "observations": [
        ([("patient_id", 1), ("kind", 1), ("measured_at", -1)], {}),
        ([("patient_id", 1), ("measured_at", -1)], {}),
    ],
    "attachments": [
        ([("patient_id", 1), ("created_at", -1)], {}),
        # Uploads never confirmed are forgotten after a day.
        ([("discard_at", 1)], {"expireAfterSeconds": 0}),
    ],
    "care": [([("patient_id", 1), ("doctor_id", 1)], {})],
    "shares": [([("patient_id", 1), ("doctor_id", 1)], {})],
    "audit": [([("patient_id", 1), ("at", -1)], {})],
    "records": [([("outbox.at", 1)], {"sparse": True})],
}


@cache
def database() -> Any:
    """The records database on the configured server, its indexes ensured once per process."""
    from keneya.config import settings
    from keneya.stores import mongo_client

    # The database named in MONGO_URL (mongodb://host/<db>), else MONGO_DATABASE, else ours.
    default = settings().get("MONGO_DATABASE", DEFAULT_DATABASE)
    db = mongo_client().get_default_database(default)
    ensure_indexes(db)
    return db


def ensure_indexes(db: Any) -> None:
    for collection, indexes in INDEXES.items():
        for keys, options in indexes:
            db[collection].create_index(keys, **options)


class Store:
    """The `chalicelib.service.RecordStore` on the records documents in `db` (a pymongo
    Database)."""

    def __init__(self, db: Any) -> None:
        self.db = db

    # -- the record document ---------------------------------------------------------------

    def record(self, patient_id: str) -> dict[str, Any]:
        return self.db.records.find_one({"_id": patient_id}) or {"_id": patient_id}

    def set_profile(self, patient_id: str, profile: dict[str, Any]) -> None:
        self.db.records.update_one({"_id": patient_id}, {"$set": {"profile": profile}}, upsert=True)

    def replace_sections(
        self,
        patient_id: str,
        revision: int | None,
        sections: dict[str, Any],
        at: datetime,
        pending: dict[str, Any] | None = None,
    ) -> bool:
        """Write `sections` (and queue the `pending` announcement, in the same atomic update)
        if the record is still at `revision` (None: never written); False when another write
        came first (the caller reads again and retries)."""
        update: dict[str, Any] = {
            "$set": {**sections, "updated_at": at},
            "$inc": {"revision": 1},
        }
        if pending is not None:
            update["$push"] = {"outbox": pending}
        if revision is None:
            from pymongo.errors import DuplicateKeyError

            try:
                self.db.records.update_one(
                    {"_id": patient_id, "revision": {"$exists": False}}, update, upsert=True
                )
            except DuplicateKeyError:
                return False
            return True
        result = self.db.records.update_one({"_id": patient_id, "revision": revision}, update)
        return result.matched_count == 1

    def push_pending(self, patient_id: str, announcement: dict[str, Any]) -> None:
        self.db.records.update_one(
            {"_id": patient_id}, {"$push": {"outbox": announcement}}, upsert=True
        )

    def pull_pending(self, patient_id: str, announcement_id: str) -> None:
        self.db.records.update_one(
            {"_id": patient_id}, {"$pull": {"outbox": {"id": announcement_id}}}
        )

    def with_pending(self, before: datetime, limit: int = 100) -> list[str]:
        """Patients whose record holds announcements queued before `before`."""
        found = self.db.records.find({"outbox.at": {"$lt": before}}, {"_id": 1}).limit(limit)
        return [document["_id"] for document in found]

    # -- history ---------------------------------------------------------------------------

    def add_encounter(self, encounter: dict[str, Any]) -> bool:
        """Insert the encounter unless it is there already; True when it was new."""
        result = self.db.encounters.update_one(
            {"_id": encounter["_id"]}, {"$setOnInsert": encounter}, upsert=True
        )
        return result.upserted_id is not None

    def encounters(self, patient_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        cursor = self.db.encounters.find({"patient_id": patient_id})
        return list(cursor.sort("completed_at", -1).limit(limit))

    def encounter(self, patient_id: str, consultation_id: str) -> dict[str, Any] | None:
        return self.db.encounters.find_one({"_id": consultation_id, "patient_id": patient_id})

    def add_observation(self, observation: dict[str, Any]) -> None:
        self.db.observations.insert_one(observation)

    def observations(
        self, patient_id: str, kind: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"patient_id": patient_id}
        if kind:
            query["kind"] = kind
        return list(self.db.observations.find(query).sort("measured_at", -1).limit(limit))

    def add_attachment(self, attachment: dict[str, Any]) -> None:
        self.db.attachments.insert_one(attachment)

    def attachment(self, patient_id: str, attachment_id: str) -> dict[str, Any] | None:
        return self.db.attachments.find_one({"_id": attachment_id, "patient_id": patient_id})

    def confirm_attachment(self, attachment_id: str, size: int, at: datetime) -> None:
        self.db.attachments.update_one(
            {"_id": attachment_id},
            {
                "$set": {"status": "available", "size": size, "confirmed_at": at},
                "$unset": {"discard_at": ""},
            },
        )

    def attachments(self, patient_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        cursor = self.db.attachments.find({"patient_id": patient_id, "status": "available"})
        return list(cursor.sort("created_at", -1).limit(limit))

    # -- access ----------------------------------------------------------------------------

    def advance_care(
        self,
        consultation_id: str,
        patient_id: str,
        doctor_id: str,
        status: str,
        completed_at: datetime | None,
    ) -> None:
        """Move the consultation's care status forward; an older status arriving late is
        ignored (compare-and-set on the current status)."""
        current = self.db.care.find_one({"_id": consultation_id})
        if current is not None and not moves_forward(current["status"], status):
            return
        fields = {"patient_id": patient_id, "doctor_id": doctor_id, "status": status}
        if completed_at is not None:
            fields["completed_at"] = completed_at
        if current is None:
            from pymongo.errors import DuplicateKeyError

            try:
                self.db.care.insert_one({"_id": consultation_id, **fields})
            except DuplicateKeyError:
                self.advance_care(consultation_id, patient_id, doctor_id, status, completed_at)
            return
        result = self.db.care.update_one(
            {"_id": consultation_id, "status": current["status"]}, {"$set": fields}
        )
        if result.matched_count == 0:
            self.advance_care(consultation_id, patient_id, doctor_id, status, completed_at)

    def care_links(self, patient_id: str, doctor_id: str) -> list[CareLink]:
        return [
            CareLink(d["_id"], d["doctor_id"], d["status"], d.get("completed_at"))
            for d in self.db.care.find({"patient_id": patient_id, "doctor_id": doctor_id})
        ]

    def add_share(self, share: dict[str, Any]) -> None:
        self.db.shares.insert_one(share)

    def shares(self, patient_id: str, doctor_id: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"patient_id": patient_id}
        if doctor_id:
            query["doctor_id"] = doctor_id
        return list(self.db.shares.find(query).sort("created_at", -1))

    def active_shares(self, patient_id: str, doctor_id: str) -> list[Share]:
        return [
            Share(d["_id"], d["doctor_id"], d["until"], d.get("revoked_at"))
            for d in self.shares(patient_id, doctor_id)
        ]

    def revoke_share(self, patient_id: str, share_id: str, at: datetime) -> bool:
        result = self.db.shares.update_one(
            {"_id": share_id, "patient_id": patient_id, "revoked_at": None},
            {"$set": {"revoked_at": at}},
        )
        return result.matched_count == 1

    # -- audit -----------------------------------------------------------------------------

    def audit(self, entry: dict[str, Any]) -> None:
        self.db.audit.insert_one(entry)

    def audit_once(self, entry: dict[str, Any]) -> None:
        """Insert `entry` unless an entry with its `_id` is there already."""
        self.db.audit.update_one({"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True)

    def audit_entries(self, patient_id: str, limit: int = 200) -> Iterator[dict[str, Any]]:
        return iter(self.db.audit.find({"patient_id": patient_id}).sort("at", -1).limit(limit))
