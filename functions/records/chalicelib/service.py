"""What the records API and the consultation events do, on top of the store: access decided
once (`chalicelib.access.decide`), every read and write audited, `record.updated` emitted.

`record.updated` carries ids and the kind of change only, never clinical content.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import record as sections
from chalicelib.access import Access, care_status, decide
from chalicelib.errors import InvalidEntry
from chalicelib.store import Store
from chalicelib.vitals import measure

# A phone's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
MAX_SHARE = timedelta(days=366)
Emit = Callable[[dict[str, Any]], None]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoAccess(Exception):
    """Not this person's record to see: answered exactly like a record that does not exist."""


class NotThere(Exception):
    """The item asked for is not in this record."""


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str


class Records:
    def __init__(
        self, store: Store, emit: Emit, clock: Clock = utc_now, bucket: Any = None
    ) -> None:
        self.store = store
        self.emit = emit
        self.clock = clock
        self.bucket = bucket

    # -- access and audit ------------------------------------------------------------------

    def open(
        self,
        who: Caller,
        patient_id: str,
        action: str,
        resource: str,
        resource_id: str | None = None,
        write: bool = False,
    ) -> Access:
        """The caller's access to the record for `action` on `resource`, audited; `NoAccess`
        (audited as denied) otherwise."""
        now = self.clock()
        access = None
        if who.role == "doctor" and not write:
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
        # Refusals of strangers are not written into the patient's log (anyone could fill
        # it); refusals of doctors are: the patient should see who tried.
        if access is not None or who.role == "doctor":
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
        latest: dict[str, dict[str, Any]] = {}
        for observation in self.store.observations(patient_id, limit=500):
            latest.setdefault(observation["kind"], observation)
        return {
            "patient_id": patient_id,
            "profile": document.get("profile") or {},
            **{name: document.get(name, []) for name in sections.SECTIONS},
            "latest_vitals": list(latest.values()),
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
        self.open(who, patient_id, "write", section, entry["id"], write=True)
        self._change(
            patient_id,
            lambda doc: {section: sections.with_entry(doc.get(section, []), entry, section)},
        )
        self._updated(patient_id, "patient", section, entry["id"])
        return entry

    def update_entry(
        self, who: Caller, patient_id: str, section: str, entry_id: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        self.open(who, patient_id, "write", section, entry_id, write=True)
        changed: dict[str, Any] = {}

        def edit(doc: dict[str, Any]) -> dict[str, Any]:
            entries = [dict(e) for e in doc.get(section, [])]
            for entry in entries:
                if entry["id"] == entry_id:
                    entry.update(fields)
                    changed.update(entry)
                    return {section: entries}
            raise NotThere()

        self._change(patient_id, edit)
        self._updated(patient_id, "patient", section, entry_id)
        return changed

    def remove_entry(self, who: Caller, patient_id: str, section: str, entry_id: str) -> None:
        self.open(who, patient_id, "write", section, entry_id, write=True)

        def remove(doc: dict[str, Any]) -> dict[str, Any]:
            entries = doc.get(section, [])
            kept = [e for e in entries if e["id"] != entry_id]
            if len(kept) == len(entries):
                raise NotThere()
            return {section: kept}

        self._change(patient_id, remove)
        self._updated(patient_id, "patient", section, entry_id)

    def add_observation(
        self, who: Caller, patient_id: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
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
            "_id": uuid.uuid4().hex,
            "patient_id": patient_id,
            **measurement.as_document(),
            "measured_at": measured_at,
            "recorded_by": who.user_id,
            "recorded_at": self.clock(),
        }
        self.open(who, patient_id, "write", "observations", observation["_id"], write=True)
        self.store.add_observation(observation)
        self._updated(patient_id, "patient", "observations", observation["_id"])
        return observation

    # -- attachments -----------------------------------------------------------------------

    def start_upload(
        self, who: Caller, patient_id: str, fields: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A pending attachment and the presigned form to upload its content with."""
        attachment_id = uuid.uuid4().hex
        self.open(who, patient_id, "write", "attachments", attachment_id, write=True)
        now = self.clock()
        attachment = {
            "_id": attachment_id,
            "patient_id": patient_id,
            "category": fields["category"],
            "title": fields["title"],
            "content_type": fields["content_type"],
            "size": fields["size"],
            "key": self.bucket.key(patient_id, attachment_id),
            "status": "pending",
            "created_at": now,
            "discard_at": attachment_discard_at(now),
        }
        self.store.add_attachment(attachment)
        upload = self.bucket.upload_request(
            attachment["key"], attachment["content_type"], attachment["size"]
        )
        return attachment, upload

    def confirm_upload(self, who: Caller, patient_id: str, attachment_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "write", "attachments", attachment_id, write=True)
        attachment = self.store.attachment(patient_id, attachment_id)
        if attachment is None:
            raise NotThere()
        if attachment["status"] == "available":
            return attachment
        size = self.bucket.check_upload(
            attachment["key"], attachment["content_type"], attachment["size"]
        )
        self.store.confirm_attachment(attachment_id, size, self.clock())
        self._updated(patient_id, "attachment", "attachments", attachment_id)
        return self.store.attachment(patient_id, attachment_id) or attachment

    def attachments(self, who: Caller, patient_id: str, limit: int) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "attachments")
        return self.store.attachments(patient_id, limit)

    def download(self, who: Caller, patient_id: str, attachment_id: str) -> dict[str, Any]:
        self.open(who, patient_id, "read", "attachment", attachment_id)
        attachment = self.store.attachment(patient_id, attachment_id)
        if attachment is None or attachment["status"] != "available":
            raise NotThere()
        url = self.bucket.download_url(
            attachment["key"], attachment["title"], attachment["content_type"]
        )
        return {**attachment, "download_url": url}

    # -- shares ----------------------------------------------------------------------------

    def share(
        self, who: Caller, patient_id: str, doctor_id: str, until: datetime
    ) -> dict[str, Any]:
        if until <= self.clock():
            raise InvalidEntry("until", "must be in the future", "in_past")
        if until > self.clock() + MAX_SHARE:
            raise InvalidEntry("until", "a share lasts one year at most", "too_long")
        share = {
            "_id": uuid.uuid4().hex,
            "patient_id": patient_id,
            "doctor_id": doctor_id,
            "until": until,
            "created_at": self.clock(),
            "revoked_at": None,
        }
        self.open(who, patient_id, "write", "shares", share["_id"], write=True)
        self.store.add_share(share)
        return share

    def shares(self, who: Caller, patient_id: str) -> list[dict[str, Any]]:
        self.open(who, patient_id, "read", "shares", write=True)
        return self.store.shares(patient_id)

    def revoke(self, who: Caller, patient_id: str, share_id: str) -> None:
        self.open(who, patient_id, "write", "shares", share_id, write=True)
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
        )
        self._updated(
            patient_id,
            "consultation",
            "encounter",
            consultation_id,
            consultation_id=consultation_id,
        )

    def on_user_registered(self, data: dict[str, Any]) -> None:
        if data.get("role") == "patient":
            self.store.set_profile(
                data["user_id"],
                {"full_name": data.get("full_name"), "language": data.get("language", "fr")},
            )

    # -- internals -------------------------------------------------------------------------

    def _change(self, patient_id: str, compute: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Read the record, compute the new sections, write them if nobody wrote in between."""
        for _ in range(10):
            document = self.store.record(patient_id)
            new = compute(document)
            if self.store.replace_sections(patient_id, document.get("revision"), new, self.clock()):
                return
        raise RuntimeError("the record kept changing; try again")

    def _updated(
        self,
        patient_id: str,
        cause: str,
        section: str,
        item_id: str,
        consultation_id: str | None = None,
    ) -> None:
        self.emit(
            {
                "patient_id": patient_id,
                "cause": cause,
                "section": section,
                "item_id": item_id,
                "consultation_id": consultation_id,
            }
        )


def attachment_discard_at(now: datetime) -> datetime:
    return now + timedelta(days=1)
