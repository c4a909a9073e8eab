"""Fakes of the records service's ports, kept by the tests: a store in memory that keeps the
promises of `chalicelib.store.Store` (`chalicelib.service.RecordStore`), an outbox that keeps
those of `chalicelib.outbox_store.emit_record_updated` (`Emit`), and a bucket that keeps those
of `chalicelib.attachment_store.Bucket` (`AttachmentStorage`).

- The record document moves on a `revision`: a write conditioned on an older one is refused
  (`replace_sections` answers False) and writes nothing. `interleave` lets another writer land
  between the service's read and its write, as a concurrent request would.
- An encounter is kept once per consultation; an audit entry with an `_id` already there is not
  appended again; the audit is only ever appended to.
- Care statuses only move forward (`chalicelib.access.moves_forward`).
- The outbox commits one event per announcement id, and can be down (the announcement stays
  pending in the record).
- The bucket refuses an upload by the same rules as S3's adapter (`chalicelib.attachments`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.access import CareLink, Share, moves_forward
from chalicelib.attachments import MAX_BYTES, UploadRejected, looks_like, size_refusal
from chalicelib.service import Records

Document = dict[str, Any]


@dataclass
class Clock:
    """The service's clock, moved by the tests."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def _newest_first(documents: list[Document], on: str, limit: int) -> list[Document]:
    return [copy.deepcopy(d) for d in sorted(documents, key=lambda d: d[on], reverse=True)][:limit]


@dataclass
class InMemoryRecordStore:
    records: dict[str, Document] = field(default_factory=dict)
    encounter_docs: dict[str, Document] = field(default_factory=dict)
    observation_docs: dict[str, Document] = field(default_factory=dict)
    attachment_docs: dict[str, Document] = field(default_factory=dict)
    care: dict[str, Document] = field(default_factory=dict)
    share_docs: dict[str, Document] = field(default_factory=dict)
    audit_log: list[Document] = field(default_factory=list)
    # Each runs just before one section write (the next one first): someone else's write
    # landing between the service's read and its own.
    _interleaved: list[Callable[[], object]] = field(default_factory=list)
    # The next section writes fail as a crash or an outage would.
    failing_writes: int = 0

    def interleave(self, write: Callable[[], object]) -> None:
        self._interleaved.append(write)

    # -- the record document ----------------------------------------------------------------

    def record(self, patient_id: str) -> Document:
        return copy.deepcopy(self.records.get(patient_id) or {"_id": patient_id})

    def set_profile(self, patient_id: str, profile: Document) -> None:
        self.records.setdefault(patient_id, {"_id": patient_id})["profile"] = dict(profile)

    def replace_sections(
        self,
        patient_id: str,
        revision: int | None,
        sections: Document,
        at: datetime,
        pending: Document | None = None,
    ) -> bool:
        if self._interleaved:
            self._interleaved.pop(0)()
        if self.failing_writes:
            self.failing_writes -= 1
            raise ConnectionError("the database did not answer")
        stored = self.records.get(patient_id)
        if (stored or {}).get("revision") != revision:
            return False
        document = stored if stored is not None else {"_id": patient_id}
        document.update(copy.deepcopy(sections))
        document["updated_at"] = at
        document["revision"] = (revision or 0) + 1
        if pending is not None:
            document.setdefault("outbox", []).append(copy.deepcopy(pending))
        self.records[patient_id] = document
        return True

    def touch(self, patient_id: str) -> None:
        """Another writer's change of the record: its revision moves on."""
        document = self.records.setdefault(patient_id, {"_id": patient_id})
        document["revision"] = document.get("revision", 0) + 1

    def push_pending(self, patient_id: str, announcement: Document) -> None:
        document = self.records.setdefault(patient_id, {"_id": patient_id})
        document.setdefault("outbox", []).append(copy.deepcopy(announcement))

    def pull_pending(self, patient_id: str, announcement_id: str) -> None:
        document = self.records.get(patient_id)
        if document is not None and "outbox" in document:
            document["outbox"] = [a for a in document["outbox"] if a["id"] != announcement_id]

    def with_pending(self, before: datetime, limit: int = 100) -> list[str]:
        return [
            patient_id
            for patient_id, document in self.records.items()
            if any(a["at"] < before for a in document.get("outbox", []))
        ][:limit]

    def pending(self, patient_id: str) -> list[Document]:
        return self.records.get(patient_id, {}).get("outbox", [])

    # -- history ------------------------------------------------------------------------------

    def add_encounter(self, encounter: Document) -> bool:
        if encounter["_id"] in self.encounter_docs:
            return False
        self.encounter_docs[encounter["_id"]] = copy.deepcopy(encounter)
        return True

    def encounters(self, patient_id: str, limit: int = 1000) -> list[Document]:
        mine = [e for e in self.encounter_docs.values() if e["patient_id"] == patient_id]
        return _newest_first(mine, "completed_at", limit)

    def encounter(self, patient_id: str, consultation_id: str) -> Document | None:
        found = self.encounter_docs.get(consultation_id)
        return copy.deepcopy(found) if found and found["patient_id"] == patient_id else None

    def add_observation(self, observation: Document) -> None:
        self.observation_docs[observation["_id"]] = copy.deepcopy(observation)

    def observations(
        self, patient_id: str, kind: str | None = None, limit: int = 1000
    ) -> list[Document]:
        mine = [
            o
            for o in self.observation_docs.values()
            if o["patient_id"] == patient_id and (not kind or o["kind"] == kind)
        ]
        return _newest_first(mine, "measured_at", limit)

    def add_attachment(self, attachment: Document) -> None:
        self.attachment_docs[attachment["_id"]] = copy.deepcopy(attachment)

    def attachment(self, patient_id: str, attachment_id: str) -> Document | None:
        found = self.attachment_docs.get(attachment_id)
        return copy.deepcopy(found) if found and found["patient_id"] == patient_id else None

    def confirm_attachment(self, attachment_id: str, size: int, at: datetime) -> None:
        found = self.attachment_docs.get(attachment_id)
        if found is not None:
            found.update(status="available", size=size, confirmed_at=at)
            found.pop("discard_at", None)

    def attachments(self, patient_id: str, limit: int = 1000) -> list[Document]:
        mine = [
            a
            for a in self.attachment_docs.values()
            if a["patient_id"] == patient_id and a["status"] == "available"
        ]
        return _newest_first(mine, "created_at", limit)

    # -- access -------------------------------------------------------------------------------

    def advance_care(
        self,
        consultation_id: str,
        patient_id: str,
        doctor_id: str,
        status: str,
        completed_at: datetime | None,
    ) -> None:
        current = self.care.get(consultation_id)
        if current is not None and not moves_forward(current["status"], status):
            return
        fields: Document = {"patient_id": patient_id, "doctor_id": doctor_id, "status": status}
        if completed_at is not None:
            fields["completed_at"] = completed_at
        self.care[consultation_id] = {**(current or {}), **fields}

    def care_links(self, patient_id: str, doctor_id: str) -> list[CareLink]:
        return [
            CareLink(consultation_id, d["doctor_id"], d["status"], d.get("completed_at"))
            for consultation_id, d in self.care.items()
            if d["patient_id"] == patient_id and d["doctor_id"] == doctor_id
        ]

    def add_share(self, share: Document) -> None:
        self.share_docs[share["_id"]] = copy.deepcopy(share)

    def shares(self, patient_id: str, doctor_id: str | None = None) -> list[Document]:
        mine = [
            s
            for s in self.share_docs.values()
            if s["patient_id"] == patient_id and (not doctor_id or s["doctor_id"] == doctor_id)
        ]
        return _newest_first(mine, "created_at", len(mine))

    def active_shares(self, patient_id: str, doctor_id: str) -> list[Share]:
        return [
            Share(d["_id"], d["doctor_id"], d["until"], d.get("revoked_at"))
            for d in self.shares(patient_id, doctor_id)
        ]

    def revoke_share(self, patient_id: str, share_id: str, at: datetime) -> bool:
        found = self.share_docs.get(share_id)
        if found is None or found["patient_id"] != patient_id or found["revoked_at"] is not None:
            return False
        found["revoked_at"] = at
        return True

    # -- audit --------------------------------------------------------------------------------

    def audit(self, entry: Document) -> None:
        self.audit_log.append(copy.deepcopy(entry))

    def audit_once(self, entry: Document) -> None:
        if all(e["_id"] != entry["_id"] for e in self.audit_log):
            self.audit(entry)

    def audit_entries(self, patient_id: str, limit: int = 200) -> Iterator[Document]:
        mine = [e for e in self.audit_log if e["patient_id"] == patient_id]
        # Newest first; entries of the same instant, the last appended first.
        return iter(_newest_first(list(reversed(mine)), "at", limit))


@dataclass
class Outbox:
    """`record.updated` as the DynamoDB outbox commits it: once per announcement id, with the
    payload's empty fields left out. While `down`, every hand-over fails; `failing` more fail
    first, one each."""

    committed: dict[str, Document] = field(default_factory=dict)
    handed: list[str] = field(default_factory=list)
    down: bool = False
    failing: int = 0

    def __call__(self, announcement: Document, /) -> None:
        if self.down or self.failing:
            self.failing = max(self.failing - 1, 0)
            raise ConnectionError("outbox unreachable")
        self.handed.append(announcement["id"])
        payload = {k: v for k, v in announcement["payload"].items() if v is not None}
        self.committed.setdefault(announcement["id"], payload)

    def payloads(self) -> list[Document]:
        return list(self.committed.values())


@dataclass
class InMemoryBucket:
    """Objects by key; `put` is the client's upload with the presigned URL."""

    prefix: str = "records/"
    objects: dict[str, bytes] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)

    def key(self, patient_id: str, attachment_id: str) -> str:
        return f"{self.prefix}{patient_id}/{attachment_id}"

    def upload_request(self, key: str, content_type: str, size: int) -> Document:
        return {
            "method": "PUT",
            "url": f"https://bucket.test/{key}?signed-for={content_type};{size}",
            "headers": {"Content-Type": content_type, "Content-Length": str(size)},
            "expires_in": 900,
        }

    def put(self, key: str, content: bytes) -> None:
        self.objects[key] = content

    def check_upload(
        self,
        key: str,
        content_type: str,
        expected_size: int | None = None,
        max_bytes: int = MAX_BYTES,
    ) -> int:
        self.checked.append(key)
        if key not in self.objects:
            raise UploadRejected("not_uploaded")
        content = self.objects[key]
        refusal = size_refusal(len(content), expected_size, max_bytes)
        if refusal is None and not looks_like(content_type, content[:16]):
            refusal = "wrong_content"
        if refusal:
            del self.objects[key]
            raise UploadRejected(refusal)
        return len(content)

    def download_url(self, key: str, filename: str, content_type: str) -> str:
        return f"https://bucket.test/{key}?download-as={filename}"


@dataclass
class RecordsWorld:
    """The service on its fakes, and a clock the test moves."""

    store: InMemoryRecordStore
    outbox: Outbox
    bucket: InMemoryBucket
    clock: Clock
    records: Records


def records_world(now: datetime = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)) -> RecordsWorld:
    store, outbox, bucket, clock = InMemoryRecordStore(), Outbox(), InMemoryBucket(), Clock(now)
    return RecordsWorld(store, outbox, bucket, clock, Records(store, outbox, clock, bucket=bucket))
