"""In-memory stand-ins for the ports of `chalicelib.service`, with the semantics of the adapters
(`chalicelib.store`, `chalicelib.search_cache`, `chalicelib.photo_store`), so the use cases run
without any I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.care import GRANTS_ACCESS, CareStatus, next_status
from chalicelib.directory import Listed, Page, SearchQuery, index_keys
from chalicelib.errors import ConcurrentUpdate, PhotoRejected
from chalicelib.photos import (
    MAX_BYTES,
    MIN_BYTES,
    SIGNATURE_BYTES,
    UPLOAD_SECONDS,
    UploadForm,
    check_announced,
    photo_key,
    sniffed_type,
)
from chalicelib.profiles import Profile
from chalicelib.service import Users
from chalicelib.verification import Decision
from keneya.events import Event, new_event

# A JPEG's first bytes, padded to a size the checks accept.
JPEG = b"\xff\xd8\xff\xe0" + bytes(MIN_BYTES)


def event(event_type: str, data: dict[str, Any]) -> Event:
    """An event as its producer publishes it (its payload checked against the catalogue)."""
    return new_event(event_type, data, source="tests")


class Profiles:
    """Profiles as the DynamoDB store keeps them: every change conditional on the revision it
    read, saved with its events and review decision or not at all; the directory and the review
    queue read from what is saved, in the order of their index keys."""

    def __init__(self, *profiles: Profile) -> None:
        self.saved: dict[str, Profile] = {p.user_id: p for p in profiles}
        self.emitted: list[Event] = []
        self.decided: list[Decision] = []
        self._meanwhile: list[Callable[[Profile], Profile]] = []

    def meanwhile(self, change: Callable[[Profile], Profile]) -> None:
        """Another request saves `change` of the profile just before the next write lands."""
        self._meanwhile.append(change)

    def get(self, user_id: str) -> Profile | None:
        return self.saved.get(user_id)

    def create(self, profile: Profile) -> bool:
        if profile.user_id in self.saved:
            return False
        self.saved[profile.user_id] = profile
        return True

    def replace(
        self,
        before: Profile,
        after: Profile,
        events: Iterable[Event] = (),
        decision: Decision | None = None,
    ) -> None:
        stored = self.saved[before.user_id]
        if self._meanwhile:
            stored = self._meanwhile.pop(0)(stored)
            stored = replace(stored, revision=stored.revision + 1)
            self.saved[stored.user_id] = stored
        if stored.revision != before.revision:
            raise ConcurrentUpdate()
        self.saved[after.user_id] = after
        self.emitted += events
        if decision is not None:
            self.decided.append(decision)

    def _indexed(self, partition: str, after: str | None) -> list[Listed]:
        found = []
        for profile in self.saved.values():
            keys = index_keys(profile)
            if keys is None or (after is not None and keys[1] <= after):
                continue
            # Listed doctors are also indexed among all specialties, under the same key.
            if keys[0] == partition or (partition == "DIRECTORY#*" and profile.listed):
                found.append(Listed(keys[1], profile))
        return sorted(found, key=lambda item: item.key)

    def search(self, query: SearchQuery, *, whole: bool = False) -> tuple[list[Listed], str | None]:
        found = [
            item
            for item in self._indexed(query.partition, query.after)
            if query.matches(item.profile)
        ]
        if len(found) > query.limit:
            return found[: query.limit], found[query.limit - 1].key
        return found, None

    def review_queue(
        self, status: str, after: str | None, limit: int
    ) -> tuple[list[Listed], str | None]:
        found = self._indexed(f"REVIEW#{status}", after)
        if len(found) > limit:
            return found[:limit], found[limit - 1].key
        return found, None

    def decisions(self, doctor_id: str, limit: int = 100) -> list[Decision]:
        mine = [d for d in self.decided if d.doctor_id == doctor_id]
        return sorted(mine, key=lambda d: d.decided_at, reverse=True)[:limit]


class Care:
    """Consultations as the care store keeps them: a status that only moves forward."""

    def __init__(self) -> None:
        self.statuses: dict[tuple[str, str, str], CareStatus] = {}

    def record(
        self,
        doctor_id: str,
        patient_id: str,
        consultation_id: str,
        arriving: CareStatus,
        now: datetime,
    ) -> bool:
        key = (doctor_id, patient_id, consultation_id)
        status = next_status(self.statuses.get(key), arriving)
        if status is None:
            return False
        self.statuses[key] = status
        return True

    def treats(self, doctor_id: str, patient_id: str) -> bool:
        return any(
            status in GRANTS_ACCESS
            for (doctor, patient, _), status in self.statuses.items()
            if (doctor, patient) == (doctor_id, patient_id)
        )


class SearchPages:
    """The search cache's generations: a page is served only while the generation of its
    scope is the one its search began under; an invalidation moves the generations on."""

    def __init__(self) -> None:
        self.generations: dict[str, int] = defaultdict(int)
        self.pages: dict[str, tuple[int, Page]] = {}
        self.invalidated: list[set[str]] = []

    def get(self, query: SearchQuery) -> tuple[Page | None, Any]:
        key = f"{query.scope}:{query.cache_key()}"
        generation = self.generations[query.scope]
        stored = self.pages.get(key)
        if stored is not None and stored[0] == generation:
            return stored[1], None
        return None, (key, generation)

    def put(self, lookup: Any, page: Page) -> None:
        if lookup is not None:
            key, generation = lookup
            self.pages[key] = (generation, page)

    def invalidate(self, scopes: Iterable[str]) -> bool:
        scopes = set(scopes)
        if scopes:
            for scope in scopes:
                self.generations[scope] += 1
            self.invalidated.append(scopes)
        return True


class Photos:
    """The bucket as the photo store uses it: the same checks of what is announced and of what
    arrives, a refused upload deleted."""

    def __init__(self, prefix: str = "photos/") -> None:
        self.prefix = prefix
        self.objects: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.deletes_fail = False

    def key(self, doctor_id: str, upload_id: str) -> str:
        return photo_key(self.prefix, doctor_id, upload_id)

    def upload(self, doctor_id: str, upload_id: str, content: bytes) -> None:
        """What the browser does with the form."""
        self.objects[self.key(doctor_id, upload_id)] = content

    def upload_form(
        self, doctor_id: str, upload_id: str, content_type: str, size: int
    ) -> UploadForm:
        check_announced(content_type, size)
        fields = {"key": self.key(doctor_id, upload_id), "Content-Type": content_type}
        return UploadForm("https://photos.test/upload", fields, upload_id, UPLOAD_SECONDS)

    def accept(self, doctor_id: str, upload_id: str) -> str:
        key = self.key(doctor_id, upload_id)
        if key not in self.objects:
            raise PhotoRejected("photo_missing", "upload_id")
        content = self.objects[key]
        if len(content) > MAX_BYTES or len(content) < MIN_BYTES:
            self.delete(key)
            code = "photo_too_large" if len(content) > MAX_BYTES else "photo_too_small"
            raise PhotoRejected(code, "upload_id")
        if sniffed_type(content[:SIGNATURE_BYTES]) is None:
            self.delete(key)
            raise PhotoRejected("photo_type", "upload_id")
        return key

    def download_url(self, key: str) -> str:
        return f"https://photos.test/{key}?signature=short-lived"

    def delete(self, key: str) -> None:
        if self.deletes_fail:
            raise ConnectionError("the bucket cannot be reached")
        self.objects.pop(key, None)
        self.deleted.append(key)


@dataclass
class World:
    """The use cases wired to the fakes, and the fakes to look into."""

    clock: Callable[[], datetime]
    profiles: Profiles = field(default_factory=Profiles)
    care: Care = field(default_factory=Care)
    cache: SearchPages = field(default_factory=SearchPages)
    photos: Photos = field(default_factory=Photos)

    @property
    def users(self) -> Users:
        return Users(
            profiles=self.profiles,
            care=self.care,
            cache=self.cache,
            photos=lambda: self.photos,
            clock=self.clock,
        )

    def emitted(self, event_type: str) -> list[Event]:
        return [e for e in self.profiles.emitted if e.type == event_type]
