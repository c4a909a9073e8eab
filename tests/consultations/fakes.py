"""Fakes of the consultations service's port, kept by the tests: a store in memory that keeps the
promises of `chalicelib.store.TableStore` (`chalicelib.service.Store`): a commit is all or
nothing; a consultation or an agenda changed since it was read is `Stale`; a busy block someone
else holds is `SlotTaken`; an Idempotency-Key recorded first is `IdempotencyTaken`; the events
of each commit are recorded with it. `interleave` lets another writer commit first, as a
concurrent request would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from chalicelib.agenda import Hold, PatientAgenda
from chalicelib.blocks import blocks_of, floor_block
from chalicelib.doctors import Doctor
from chalicelib.errors import InvalidCursor, SlotTaken
from chalicelib.lifecycle import Change, Consultation, Emitted, Status, next_timer
from chalicelib.service import DueTimer, IdempotencyRecord, IdempotencyTaken, Page, Stale


@dataclass
class Clock:
    """The service's clock, moved by the tests."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass
class InMemoryStore:
    doctors: dict[str, Doctor] = field(default_factory=dict)
    consultations: dict[str, Consultation] = field(default_factory=dict)
    # (doctor id, block start) -> the consultation holding it
    blocks: dict[tuple[str, datetime], str] = field(default_factory=dict)
    agendas: dict[str, PatientAgenda] = field(default_factory=dict)
    timers: dict[str, DueTimer] = field(default_factory=dict)
    idempotency_records: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    events: list[Emitted] = field(default_factory=list)
    commits: int = 0
    # Run once, at the start of the next commit(s): someone else's write landing first.
    _interleaved: list[Callable[[], object]] = field(default_factory=list)
    # Every commit from now on fails as if someone else always wrote first.
    always_stale: bool = False

    def interleave(self, write: Callable[[], object]) -> None:
        self._interleaved.append(write)

    def event_types(self) -> list[str]:
        return [e.type for e in self.events]

    # -- doctors ----------------------------------------------------------------------------

    def doctor(self, doctor_id: str) -> Doctor | None:
        return self.doctors.get(doctor_id)

    def save_doctor(self, doctor: Doctor) -> None:
        stored = self.doctors.get(doctor.doctor_id)
        if (stored.version if stored else 0) != doctor.version:
            raise Stale()
        self.doctors[doctor.doctor_id] = replace(doctor, version=doctor.version + 1)

    def busy_blocks(self, doctor_id: str, start: datetime, end: datetime) -> set[datetime]:
        low, high = floor_block(start), floor_block(end)
        return {b for (d, b) in self.blocks if d == doctor_id and low <= b <= high}

    # -- consultations ----------------------------------------------------------------------

    def consultation(self, consultation_id: str) -> Consultation | None:
        return self.consultations.get(consultation_id)

    def agenda(self, patient_id: str) -> PatientAgenda:
        return self.agendas.get(patient_id) or PatientAgenda(patient_id)

    def idempotency(self, patient_id: str, key: str) -> IdempotencyRecord | None:
        return self.idempotency_records.get((patient_id, key))

    def list_for(
        self,
        *,
        role: str,
        user_id: str,
        statuses: Iterable[Status] = (),
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        wanted = set(statuses)
        owner = f"{role}:{user_id}:"
        found = sorted(
            (
                c
                for c in self.consultations.values()
                if (c.patient_id if role == "patient" else c.doctor_id) == user_id
                and (not wanted or c.status in wanted)
                and (starts_from is None or c.starts_at >= starts_from)
                and (starts_before is None or c.starts_at < starts_before)
            ),
            key=lambda c: (c.starts_at, c.id),
            reverse=descending,
        )
        start = 0
        if cursor is not None:
            if not cursor.startswith(owner):
                raise InvalidCursor()
            start = int(cursor.removeprefix(owner))
        page = found[start : start + limit]
        more = start + limit < len(found)
        return Page(page, f"{owner}{start + limit}" if more else None)

    def upcoming_of_doctor(self, doctor_id: str, after: datetime) -> list[Consultation]:
        return [
            c
            for c in self.consultations.values()
            if c.doctor_id == doctor_id
            and c.starts_at >= after
            and c.status in (Status.PENDING_PAYMENT, Status.CONFIRMED)
        ]

    def due_timers(self, as_of: datetime, limit: int = 200) -> list[DueTimer]:
        due = sorted(
            (t for t in self.timers.values() if t.due_at <= _second(as_of)), key=lambda t: t.key
        )
        return due[:limit]

    def drop_timer(self, timer: DueTimer) -> None:
        self.timers.pop(timer.key, None)

    # -- the one write ----------------------------------------------------------------------

    def commit(
        self,
        change: Change,
        *,
        now: datetime,
        agenda: PatientAgenda | None = None,
        idempotency: IdempotencyRecord | None = None,
    ) -> Consultation:
        while self._interleaved:
            self._interleaved.pop(0)()
        before = change.before
        after = change.after.model_copy(update={"version": (before.version if before else 0) + 1})
        stored = self.consultations.get(after.id)
        stored_version = stored.version if stored else None
        stale = self.always_stale or stored_version != (before.version if before else None)

        blocks = [(after.doctor_id, b) for b in blocks_of(after.starts_at, after.ends_at)]
        if change.doctor_time == "hold":
            slot_taken = any(key in self.blocks for key in blocks)
        elif change.doctor_time == "release":
            slot_taken = any(self.blocks.get(key, after.id) != after.id for key in blocks)
        else:
            slot_taken = False

        updated: PatientAgenda | None = None
        current = agenda if agenda is not None else PatientAgenda(after.patient_id)
        if change.patient_time == "hold":
            updated = current.holding(Hold(after.id, after.starts_at, after.ends_at), now)
        elif change.patient_time == "release" and current.holds_consultation(after.id):
            updated = current.releasing(after.id, now)
        if updated is not None and self.agenda(after.patient_id).version != current.version:
            stale = True

        key_taken = idempotency is not None and (
            (idempotency.patient_id, idempotency.key) in self.idempotency_records
        )

        # The order in which the real store reads a cancelled transaction's reasons.
        if stale:
            raise Stale()
        if key_taken:
            raise IdempotencyTaken()
        if slot_taken:
            raise SlotTaken()

        self.consultations[after.id] = after
        if change.doctor_time == "hold":
            self.blocks.update(dict.fromkeys(blocks, after.id))
        elif change.doctor_time == "release":
            for key in blocks:
                self.blocks.pop(key, None)
        if updated is not None:
            self.agendas[after.patient_id] = PatientAgenda(
                updated.patient_id, updated.holds, current.version + 1
            )
        old, new = (next_timer(before) if before else None), next_timer(after)
        if old != new:
            if old is not None:
                self.timers.pop(f"{_second(old.due_at).isoformat()}#{after.id}", None)
            if new is not None:
                key = f"{_second(new.due_at).isoformat()}#{after.id}"
                self.timers[key] = DueTimer(_second(new.due_at), after.id, new.kind, key)
        if idempotency is not None:
            self.idempotency_records[(idempotency.patient_id, idempotency.key)] = IdempotencyRecord(
                idempotency.patient_id,
                idempotency.key,
                idempotency.fingerprint,
                idempotency.consultation_id,
                first_result=after.model_dump_json(),
            )
        self.events.extend(change.events)
        self.commits += 1
        return after
