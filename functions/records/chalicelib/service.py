"""What the records API and the consultation events do, and the ports they do it through:
access decided once (`chalicelib.access.decide`), every read and write audited, `record.updated`
emitted.

`Records` is driven by the routes, the event handlers and the tests with the same parts: a
`RecordStore` (`chalicelib.store.Store` on MongoDB, or the tests' in-memory one), an `Emit`
(`chalicelib.outbox_store.emit_record_updated`, the DynamoDB outbox) and an `AttachmentStorage`
(`chalicelib.attachment_store.Bucket`, S3). `record.updated` carries ids and the kind of change
only, never clinical content.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib import record as sections
from chalicelib.access import Access, CareLink, Share, care_status, decide
from chalicelib.errors import InvalidEntry
from chalicelib.vitals import ALL_KINDS, measure
from keneya.clock import utc_now
from keneya.logs import logger

# A phone's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
MAX_SHARE = timedelta(days=366)
# Announcements still pending this long after their change were stranded by a failure.
STRANDED_AFTER = timedelta(minutes=2)
Clock = Callable[[], datetime]


class NoAccess(Exception):
    """Not this person's record to see: answered exactly like a record that does not exist."""


class NotThere(Exception):
    """The item asked for is not in this record."""


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str


# -- the ports ----------------------------------------------------------------------------------


class RecordStore(Protocol):
    """Where the record, its history, the care links, the shares and the audit are kept.

    Documents are plain dicts as MongoDB holds them. The record document (`_id` = patient id)
    carries a `revision` that each `replace_sections` moves on, and `outbox`, the announcements
    of its changes not yet handed to `Emit`. The audit is append-only."""

    # the record document

    def record(self, patient_id: str) -> dict[str, Any]:
        """The record document, or `{"_id": patient_id}` when nothing was written yet."""
        ...

    def set_profile(self, patient_id: str, profile: dict[str, Any]) -> None: ...

    def replace_sections(
        self,
        patient_id: str,
        revision: int | None,
        sections: dict[str, Any],
        at: datetime,
        pending: dict[str, Any] | None = None,
    ) -> bool:
        """Write `sections` and queue `pending` together, if the record is still at `revision`
        (None: never written); False (nothing written) when another write came first."""
        ...

    def push_pending(self, patient_id: str, announcement: dict[str, Any]) -> None: ...

    def pull_pending(self, patient_id: str, announcement_id: str) -> None: ...

    def with_pending(self, before: datetime, limit: int = ...) -> list[str]:
        """Patients whose record holds announcements queued before `before`."""
        ...

    # history, newest first

    def add_encounter(self, encounter: dict[str, Any]) -> bool:
        """Keep the encounter unless its `_id` is there already; True when it was new."""
        ...

    def encounters(self, patient_id: str, limit: int = ...) -> list[dict[str, Any]]: ...

    def encounter(self, patient_id: str, consultation_id: str) -> dict[str, Any] | None: ...

    def add_observation(self, observation: dict[str, Any]) -> None: ...

    def observations(
        self, patient_id: str, kind: str | None = None, limit: int = ...
    ) -> list[dict[str, Any]]: ...

    def add_attachment(self, attachment: dict[str, Any]) -> None: ...

    def attachment(self, patient_id: str, attachment_id: str) -> dict[str, Any] | None:
        """The attachment, pending or available."""
        ...

    def confirm_attachment(self, attachment_id: str, size: int, at: datetime) -> None:
        """Make it `available` with its checked size; it is no longer discarded."""
        ...

    def attachments(self, patient_id: str, limit: int = ...) -> list[dict[str, Any]]:
        """The available attachments only."""
        ...

    # access

    def advance_care(
        self,
        consultation_id: str,
        patient_id: str,
        doctor_id: str,
        status: str,
        completed_at: datetime | None,
    ) -> None:
        """Move the consultation's care status forward only (`access.moves_forward`)."""
        ...

    def care_links(self, patient_id: str, doctor_id: str) -> list[CareLink]: ...

    def add_share(self, share: dict[str, Any]) -> None: ...

    def shares(self, patient_id: str, doctor_id: str | None = None) -> list[dict[str, Any]]: ...

    def active_shares(self, patient_id: str, doctor_id: str) -> list[Share]:
        """The doctor's shares of the record, revoked and expired ones included (`decide`
        tells them apart)."""
        ...

    def revoke_share(self, patient_id: str, share_id: str, at: datetime) -> bool:
        """False when the record has no such share not yet revoked."""
        ...

    # audit

    def audit(self, entry: dict[str, Any]) -> None: ...

    def audit_once(self, entry: dict[str, Any]) -> None:
        """Append `entry` unless an entry with its `_id` is there already."""
        ...

    def audit_entries(self, patient_id: str, limit: int = ...) -> Iterator[dict[str, Any]]: ...


class Emit(Protocol):
    """Hands one `record.updated` announcement (`id`, `at`, `payload`) to the outbox. The same
    id handed over twice is committed once; raising leaves it pending in the record, for
    `Records.publish_stranded`."""

    def __call__(self, announcement: dict[str, Any], /) -> None: ...


class AttachmentStorage(Protocol):
    """Where attachments' contents go, through presigned URLs the client uses directly."""

    def key(self, patient_id: str, attachment_id: str) -> str: ...

    def upload_request(self, key: str, content_type: str, size: int) -> dict[str, Any]:
        """The presigned upload for exactly that type and length."""
        ...

    def check_upload(self, key: str, content_type: str, expected_size: int | None = None) -> int:
        """The uploaded object's size once it passed `chalicelib.attachments`' checks;
        `UploadRejected` (and the object deleted, if it was there) otherwise."""
        ...

    def download_url(self, key: str, filename: str, content_type: str) -> str: ...


# -- the use cases ------------------------------------------------------------------------------


class Records:
    def __init__(
        self,
        store: RecordStore,
        emit: Emit,
        clock: Clock = utc_now,
        bucket: AttachmentStorage | None = None,
    ) -> None:
        self.store = store
        self.emit = emit
        self.clock = clock
        self.bucket = bucket

    @property
    def _files(self) -> AttachmentStorage:
        if self.bucket is None:
            # Only the domain tests of the record itself run without one.
            raise RuntimeError("these Records were given no attachment storage")
        return self.bucket

    # -- access and audit ------------------------------------------------------------------

    def open(
        self,
        who: Caller,
        patient_id: str,
        action: str,
        resource: str,
        resource_id: str | None = None,
        owner_only: bool = False,
    ) -> Access:
        """The caller's access to the record for `action` on `resource`, audited; `NoAccess`
        (audited as denied) otherwise. `owner_only`: writes and shares, the patient's alone."""
        now = self.clock()
        access = None
        if who.role == "doctor" and not owner_only:
            access = decide(
                who.user_id,
                who.role,
                patient_id,
                now,
                care=self.store.care_links(patient_id, who.user_id),
                shares=self.store.active_shares(patient_id, who.user_id),
            )
        elif who.role == "patient":
            access = decide(who.user_id, who.role, patient_id, now)
        entry = {
            "_id": uuid.uuid4().hex,
            "patient_id": patient_id,
            "actor_id": who.user_id,
            "role": who.role,
            "action": action,
            "resource": resource,
            "resource_id": resource_id,
            "at": now,
            "outcome": "allowed" if access else "denied",
            "via": access.via if access else None,
            "via_id": access.ref if access else None,
        }
        # Refusals of other patients are not written into the patient's log (anyone can sign
        # up and fill it); refusals of doctors and administrators are: the patient should see
        # which professional tried.
        if access is not None or who.role in ("doctor", "admin"):
            self.store.audit(entry)
        if access is None:
            raise NoAccess()
        return access

    def audit_log(self, who: Caller, patient_id: str, limit: int) -> list[dict[str, Any]]:
        if decide(who.user_id, who.role, patient_id, self.clock()) is None:
            raise NoAccess()
        return list(self.store.audit_entries(patient_id, limit))

    # -- reads -----------------------------------------------------------------------------

    def summary(self, who: Caller, patient_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "read", "record")
        document = self.store.record(patient_id)
        now = self.clock()
        latest = [
            found[0]
            for kind in ALL_KINDS
            if (found := self.store.observations(patient_id, kind, limit=1))
        ]
        return {
            "patient_id": patient_id,
            "profile": document.get("profile") or {},
            **{name: document.get(name, []) for name in sections.SECTIONS},
            # Medications being taken now; `medications` keeps the finished courses too.
            "current_medications": [
                m for m in document.get("medications", []) if sections.is_current(m, now)
            ],
            "latest_vitals": latest,
            "recent_encounters": self.store.encounters(patient_id, limit=5),
            "updated_at": document.get("updated_at"),
        }

    def encounters(self, who: Caller, patient_id: str, limit: int) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "encounters")
        return self.store.encounters(patient_id, limit=limit)

    def encounter(self, who: Caller, patient_id: str, consultation_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "read", "encounter", consultation_id)
        found = self.store.encounter(patient_id, consultation_id)
        if found is None:
            raise NotThere()
        return found

    def observations(
        self, who: Caller, patient_id: str, kind: str | None, limit: int
    ) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "observations")
        return self.store.observations(patient_id, kind, limit)

    def export(self, who: Caller, patient_id: str) -> dict[str, Any]:
        from chalicelib.fhir import bundle

        self.open(who, patient_id, "read", "fhir_export")
        document = self.store.record(patient_id)
        return bundle(
            patient_id,
            document.get("profile") or {},
            document,
            self.store.encounters(patient_id),
            self.store.observations(patient_id),
            self.store.attachments(patient_id),
            self.clock(),
        )

    # -- the patient's own entries ---------------------------------------------------------

    def add_entry(
        self, who: Caller, patient_id: str, section: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        entry = {
            "id": sections.new_entry_id(),
            **fields,
            "source": "patient",
            "recorded_at": self.clock(),
        }
        self.open(who, patient_id, "write", section, entry["id"], owner_only=True)
        self._change(
            patient_id,
            lambda doc: {section: sections.with_entry(doc.get(section, []), entry, section)},
            self._announcement(patient_id, "patient", section, entry["id"]),
        )
        return entry

    def update_entry(
        self, who: Caller, patient_id: str, section: str, entry_id: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        self.open(who, patient_id, "write", section, entry_id, owner_only=True)
        changed: dict[str, Any] = {}

        def edit(doc: dict[str, Any]) -> dict[str, Any]:
            entries = [dict(e) for e in doc.get(section, [])]
            for entry in entries:
                if entry["id"] == entry_id:
                    entry.update(fields)
                    changed.update(entry)
                    return {section: entries}
            raise NotThere()

        self._change(patient_id, edit, self._announcement(patient_id, "patient", section, entry_id))
        return changed

    def remove_entry(self, who: Caller, patient_id: str, section: str, entry_id: str) -> None:
        self.open(who, patient_id, "write", section, entry_id, owner_only=True)

        def remove(doc: dict[str, Any]) -> dict[str, Any]:
            entries = doc.get(section, [])
            kept = [e for e in entries if e["id"] != entry_id]
            if len(kept) == len(entries):
                raise NotThere()
            return {section: kept}

        self._change(
            patient_id, remove, self._announcement(patient_id, "patient", section, entry_id)
        )

    def add_observation(
        self, who: Caller, patient_id: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        observation_id = uuid.uuid4().hex
        # Who may write comes before what is written: a stranger learns nothing from a 422.
        self.open(who, patient_id, "write", "observations", observation_id, owner_only=True)
        measurement = measure(
            fields["kind"],
            fields["unit"],
            fields.get("value"),
            fields.get("systolic"),
            fields.get("diastolic"),
        )
        measured_at = fields.get("measured_at") or self.clock()
        if measured_at > self.clock() + CLOCK_SKEW:
            raise InvalidEntry("measured_at", "cannot be in the future", "in_future")
        observation = {
            "_id": observation_id,
            "patient_id": patient_id,
            **measurement.as_document(),
            "measured_at": measured_at,
            "recorded_by": who.user_id,
            "recorded_at": self.clock(),
        }
        # Announced first: a crash in between announces a change that did not happen (readers
        # find nothing new), never the reverse.
        announcement = self._announcement(patient_id, "patient", "observations", observation["_id"])
        self.store.push_pending(patient_id, announcement)
        self.store.add_observation(observation)
        self.flush(patient_id)
        return observation

    # -- attachments -----------------------------------------------------------------------

    def start_upload(
        self, who: Caller, patient_id: str, fields: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A pending attachment and the presigned form to upload its content with."""
        attachment_id = uuid.uuid4().hex
        self.open(who, patient_id, "write", "attachments", attachment_id, owner_only=True)
        now = self.clock()
        attachment = {
            "_id": attachment_id,
            "patient_id": patient_id,
            "category": fields["category"],
            "title": fields["title"],
            "content_type": fields["content_type"],
            "size": fields["size"],
            "key": self._files.key(patient_id, attachment_id),
            "status": "pending",
            "created_at": now,
            "discard_at": attachment_discard_at(now),
        }
        self.store.add_attachment(attachment)
        upload = self._files.upload_request(
            attachment["key"], attachment["content_type"], attachment["size"]
        )
        return attachment, upload

    def confirm_upload(self, who: Caller, patient_id: str, attachment_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "write", "attachments", attachment_id, owner_only=True)
        attachment = self.store.attachment(patient_id, attachment_id)
        if attachment is None:
            raise NotThere()
        if attachment["status"] == "available":
            return attachment
        size = self._files.check_upload(
            attachment["key"], attachment["content_type"], attachment["size"]
        )
        announcement = self._announcement(patient_id, "attachment", "attachments", attachment_id)
        self.store.push_pending(patient_id, announcement)
        self.store.confirm_attachment(attachment_id, size, self.clock())
        self.flush(patient_id)
        return self.store.attachment(patient_id, attachment_id) or attachment

    def attachments(self, who: Caller, patient_id: str, limit: int) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "attachments")
        return self.store.attachments(patient_id, limit)

    def download(self, who: Caller, patient_id: str, attachment_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "read", "attachment", attachment_id)
        attachment = self.store.attachment(patient_id, attachment_id)
        if attachment is None or attachment["status"] != "available":
            raise NotThere()
        url = self._files.download_url(
            attachment["key"], attachment["title"], attachment["content_type"]
        )
        return {**attachment, "download_url": url}

    # -- shares ----------------------------------------------------------------------------

    def share(
        self, who: Caller, patient_id: str, doctor_id: str, until: datetime
    ) -> dict[str, Any]:
        share_id = uuid.uuid4().hex
        self.open(who, patient_id, "write", "shares", share_id, owner_only=True)
        if until <= self.clock():
            raise InvalidEntry("until", "must be in the future", "in_past")
        if until > self.clock() + MAX_SHARE:
            raise InvalidEntry("until", "a share lasts one year at most", "too_long")
        share = {
            "_id": share_id,
            "patient_id": patient_id,
            "doctor_id": doctor_id,
            "until": until,
            "created_at": self.clock(),
            "revoked_at": None,
        }
        self.store.add_share(share)
        return share

    def shares(self, who: Caller, patient_id: str) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "shares", owner_only=True)
        return self.store.shares(patient_id)

    def revoke(self, who: Caller, patient_id: str, share_id: str) -> None:
        self.open(who, patient_id, "write", "shares", share_id, owner_only=True)
        if not self.store.revoke_share(patient_id, share_id, self.clock()):
            raise NotThere()

    # -- events ----------------------------------------------------------------------------

    def on_consultation(self, event_type: str, data: dict[str, Any]) -> None:
        """Track the consultation's care status (doctor access rests on it); on completion,
        add the encounter and update active problems and current medications."""
        status = care_status(event_type, data)
        completed_at = data.get("completed_at") if event_type.endswith("completed") else None
        if isinstance(completed_at, str):
            completed_at = datetime.fromisoformat(completed_at)
        self.store.advance_care(
            data["consultation_id"], data["patient_id"], data["doctor_id"], status, completed_at
        )
        if event_type == "consultation.completed":
            self.record_encounter(data, completed_at or self.clock())

    def record_encounter(self, data: dict[str, Any], completed_at: datetime) -> None:
        patient_id, consultation_id = data["patient_id"], data["consultation_id"]
        encounter = {
            "_id": consultation_id,
            "consultation_id": consultation_id,
            "patient_id": patient_id,
            "doctor_id": data["doctor_id"],
            "doctor_name": data.get("doctor_name"),
            "completed_at": completed_at,
            "reason": data["reason"],
            "notes": data.get("notes"),
            "diagnoses": data.get("diagnoses", []),
            "prescriptions": data.get("prescriptions", []),
            "follow_up": data.get("follow_up"),
        }
        self.store.add_encounter(encounter)
        # The doctor wrote this through the consultation; keyed on it, so a redelivered event
        # does not log the write twice.
        self.store.audit_once(
            {
                "_id": f"encounter:{consultation_id}",
                "patient_id": patient_id,
                "actor_id": data["doctor_id"],
                "role": "doctor",
                "action": "write",
                "resource": "encounter",
                "resource_id": consultation_id,
                "at": completed_at,
                "outcome": "allowed",
                "via": "consultation",
                "via_id": consultation_id,
            }
        )
        # Always re-applied (it is idempotent), so a crash between the two writes heals itself
        # when the event is redelivered.
        self._change(
            patient_id,
            lambda doc: dict(
                zip(
                    ("conditions", "medications"),
                    sections.merge_encounter(
                        doc.get("conditions", []),
                        doc.get("medications", []),
                        encounter,
                        completed_at,
                    ),
                    strict=True,
                )
            ),
            # The same id on redelivery: the outbox keeps one event per completion.
            self._announcement(
                patient_id,
                "consultation",
                "encounter",
                consultation_id,
                consultation_id=consultation_id,
                event_id="rec-" + hashlib.sha256(consultation_id.encode()).hexdigest()[:40],
            ),
        )

    def on_user_registered(self, data: dict[str, Any]) -> None:
        if data.get("role") == "patient":
            self.store.set_profile(
                data["user_id"],
                {"full_name": data.get("full_name"), "language": data.get("language", "fr")},
            )

    # -- internals -------------------------------------------------------------------------

    # -- announcing changes: `record.updated` through a pending list in the record --------

    def flush(self, patient_id: str) -> int:
        """Hand the record's pending announcements to the outbox; returns how many. One that
        fails stays pending for `publish_stranded` (the change itself is already saved)."""
        sent = 0
        for item in self.store.record(patient_id).get("outbox", []):
            try:
                self.emit(item)
            except Exception:
                logger.exception("record.updated left pending", extra={"event_id": item["id"]})
                break
            self.store.pull_pending(patient_id, item["id"])
            sent += 1
        return sent

    def publish_stranded(self, older_than: timedelta = STRANDED_AFTER) -> int:
        """Flush every record whose announcements were left pending (a crash, an outage)."""
        return sum(
            self.flush(patient_id)
            for patient_id in self.store.with_pending(self.clock() - older_than)
        )

    def _announcement(
        self,
        patient_id: str,
        cause: str,
        section: str,
        item_id: str,
        consultation_id: str | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "id": event_id or uuid.uuid4().hex,
            "at": self.clock(),
            "payload": {
                "patient_id": patient_id,
                "cause": cause,
                "section": section,
                "item_id": item_id,
                "consultation_id": consultation_id,
            },
        }

    def _change(
        self,
        patient_id: str,
        compute: Callable[[dict[str, Any]], dict[str, Any]],
        announcement: dict[str, Any],
    ) -> None:
        """Read the record, compute the new sections, write them with their announcement (one
        atomic document update) if nobody wrote in between, then announce."""
        for _ in range(10):
            document = self.store.record(patient_id)
            new = compute(document)
            if self.store.replace_sections(
                patient_id, document.get("revision"), new, self.clock(), pending=announcement
            ):
                self.flush(patient_id)
                return
        raise RuntimeError("the record kept changing; try again")


def attachment_discard_at(now: datetime) -> datetime:
    return now + timedelta(days=1)
