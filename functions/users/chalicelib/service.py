"""What the users service does, one method per request or event (the routes and the event
consumer call these; the rules they apply live in the domain modules).

The use cases see the world through the ports below: the profiles and the consultations they
learnt of (`chalicelib.store`, DynamoDB), the directory's cached pages (`chalicelib.search_cache`,
Redis) and the doctors' photos (`chalicelib.photo_store`, S3). `chalicelib.bootstrap` wires
those; the tests wire the in-memory fakes of `tests/users/fakes.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access import may_view_patient
from chalicelib.care import STATUS_OF_EVENT, CareStatus
from chalicelib.directory import (
    DEFAULT_PAGE_SIZE,
    Listed,
    Page,
    SearchQuery,
    cache_scopes,
    make_cursor,
    page_of,
    read_cursor,
)
from chalicelib.errors import (
    Broken,
    ConcurrentUpdate,
    InvalidFields,
    NotFound,
    ProfileNotReady,
    UsersError,
    WrongRole,
)
from chalicelib.photos import UploadForm
from chalicelib.profiles import LISTED_FIELDS, Profile, apply_changes, new_profile
from chalicelib.published_events import events_for
from chalicelib.schedules import build_availability
from chalicelib.verification import Action, Decision, Reviewer, decision_of, newest_first, review
from keneya.clock import utc_now
from keneya.correlation import new_id
from keneya.events import Event
from keneya.logs import logger
from keneya.tokens import Principal

# What a change made: the profile after it, and the names of the fields whose value changed.
Change = tuple[Profile, list[str]]
_ATTEMPTS = 3


class Profiles(Protocol):
    """Every account's profile, and the directory and review queue they are indexed in."""

    def get(self, user_id: str) -> Profile | None: ...

    def create(self, profile: Profile) -> bool:
        """Store a new profile; False when the user already has one (nothing is changed)."""
        ...

    def replace(
        self,
        before: Profile,
        after: Profile,
        events: Iterable[Event] = (),
        decision: Decision | None = None,
    ) -> None:
        """Save `after` in place of `before`, emit `events` and keep `decision`, all or none;
        raises `ConcurrentUpdate` when the stored profile is no longer `before`."""
        ...

    def search(self, query: SearchQuery, *, whole: bool = False) -> tuple[list[Listed], str | None]:
        """One page of the directory for `query` (possibly short), and the key to continue
        after when more may follow; the profiles hold what a card shows unless `whole`."""
        ...

    def review_queue(
        self, status: str, after: str | None, limit: int
    ) -> tuple[list[Listed], str | None]:
        """Doctors with `status` (pending or suspended), longest waiting first."""
        ...

    def decisions(self, doctor_id: str, limit: int = 100) -> list[Decision]: ...


class Care(Protocol):
    """Which doctors have consultations with which patients (see `chalicelib.care`)."""

    def record(
        self,
        doctor_id: str,
        patient_id: str,
        consultation_id: str,
        arriving: CareStatus,
        now: datetime,
    ) -> bool:
        """Move the consultation's status forward; False when the news changes nothing."""
        ...

    def treats(self, doctor_id: str, patient_id: str) -> bool: ...


class SearchPages(Protocol):
    """Pages of directory searches kept a while; never the only copy, so it may forget."""

    def get(self, query: SearchQuery) -> tuple[Page | None, Any]:
        """The cached page of `query`, if any, and what `put` needs to store one otherwise
        (opaque to the use cases)."""
        ...

    def put(self, lookup: Any, page: Page) -> None: ...

    def invalidate(self, scopes: Iterable[str]) -> bool:
        """Forget every page of `scopes`; False when that could not be done."""
        ...


class Photos(Protocol):
    """Doctors' photos: uploaded by the browser, checked, then served by short-lived links."""

    def upload_form(
        self, doctor_id: str, upload_id: str, content_type: str, size: int
    ) -> UploadForm: ...

    def accept(self, doctor_id: str, upload_id: str) -> str:
        """The key of the uploaded photo once it passed the checks; raises `PhotoRejected`
        (and deletes what was uploaded) otherwise."""
        ...

    def download_url(self, key: str) -> str: ...

    def delete(self, key: str) -> None: ...


class Users:
    def __init__(
        self,
        *,
        profiles: Profiles,
        care: Care,
        cache: SearchPages,
        photos: Callable[[], Photos],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.profiles = profiles
        self.care = care
        self.cache = cache
        # Only routes about photos need the bucket: the others start without an S3 client.
        self._photos = photos
        self.clock = clock

    # -- changing a profile ----------------------------------------------------------------

    def _change(
        self,
        user_id: str,
        mutate: Callable[[Profile], Change],
        *,
        missing: type[UsersError] = ProfileNotReady,
        reason: str | None = None,
        decide: Callable[[Profile, Profile], Decision] | None = None,
    ) -> Profile:
        """Apply `mutate` to the stored profile and save it with the events it causes (and the
        review decision `decide` makes of the change); read again and re-apply when another
        request changed the profile meanwhile."""
        for _ in range(_ATTEMPTS):
            before = self.profiles.get(user_id)
            if before is None:
                raise missing()
            after, changed = mutate(before)
            if not changed:
                return before
            after = replace(after, revision=before.revision + 1)
            now = self.clock()
            try:
                self.profiles.replace(
                    before,
                    after,
                    events_for(before, after, changed, now, reason=reason),
                    decide(before, after) if decide else None,
                )
            except ConcurrentUpdate:
                continue
            self._refresh_directory(before, after, changed)
            return after
        raise ConcurrentUpdate()

    def _refresh_directory(self, before: Profile, after: Profile, changed: list[str]) -> None:
        if before.listed != after.listed or (after.listed and LISTED_FIELDS & set(changed)):
            self.cache.invalidate(cache_scopes(before, after))

    # -- events from other services --------------------------------------------------------

    def open_profile(self, data: dict[str, Any]) -> bool:
        """From `user.registered`: the new account's profile; False if it already has one."""
        profile = new_profile(
            user_id=data["user_id"],
            role=data["role"],
            full_name=data["full_name"],
            phone=data.get("phone"),
            email=data.get("email"),
            language=data.get("language") or "fr",
            now=self.clock(),
        )
        created = self.profiles.create(profile)
        logger.info(
            "profile opened" if created else "profile already open",
            extra={"user_id": profile.user_id, "role": profile.role},
        )
        return created

    def phone_verified(self, data: dict[str, Any]) -> None:
        """From `user.phone_verified`. Raises `ProfileNotReady` (the event is retried) when it
        overtook the `user.registered` of the same account."""

        def mark(profile: Profile) -> Change:
            changed = [
                name
                for name, value in (("phone", data["phone"]), ("phone_verified", True))
                if getattr(profile, name) != value
            ]
            if not changed:
                return profile, []
            now = self.clock()
            return (
                replace(profile, phone=data["phone"], phone_verified=True, updated_at=now),
                changed,
            )

        self._change(data["user_id"], mark)

    def consultation_news(self, event_type: str, data: dict[str, Any]) -> None:
        """From `consultation.*`: who takes care of whom (see `chalicelib.care`)."""
        self.care.record(
            data["doctor_id"],
            data["patient_id"],
            data["consultation_id"],
            STATUS_OF_EVENT[event_type],
            self.clock(),
        )

    # -- the signed-in user ----------------------------------------------------------------

    def own_profile(self, user_id: str) -> Profile:
        profile = self.profiles.get(user_id)
        if profile is None:
            raise ProfileNotReady()
        return profile

    def own_schedule(self, user_id: str) -> Profile:
        """The signed-in doctor's profile, whose schedule they read."""
        profile = self.own_profile(user_id)
        if not profile.is_doctor:
            raise WrongRole(("doctor",))
        return profile

    def update_profile(self, user_id: str, changes: dict[str, Any]) -> Profile:
        return self._change(user_id, lambda p: apply_changes(p, changes, self.clock()))

    def set_availability(self, user_id: str, raw: dict[str, Any]) -> Profile:
        def schedule(profile: Profile) -> Change:
            if not profile.is_doctor:
                raise WrongRole(("doctor",))
            now = self.clock()
            availability = build_availability(raw, now)
            if availability == profile.availability:
                return profile, []
            return (
                replace(
                    profile, availability=availability, availability_updated_at=now, updated_at=now
                ),
                ["availability"],
            )

        return self._change(user_id, schedule)

    def photo_upload_form(self, user_id: str, content_type: str, size: int) -> UploadForm:
        if not self.own_profile(user_id).is_doctor:
            raise WrongRole(("doctor",))
        return self._photos().upload_form(user_id, new_id(), content_type, size)

    def accept_photo(self, user_id: str, upload_id: str) -> Profile:
        if not self.own_profile(user_id).is_doctor:
            raise WrongRole(("doctor",))
        storage = self._photos()
        key = storage.accept(user_id, upload_id)
        replaced: list[str] = []

        def use(profile: Profile) -> Change:
            replaced[:] = [profile.photo_key] if profile.photo_key not in (None, key) else []
            if profile.photo_key == key:
                return profile, []
            return replace(profile, photo_key=key, updated_at=self.clock()), ["photo"]

        profile = self._change(user_id, use)
        for old in replaced:
            self._forget_photo(storage, old)
        return profile

    def remove_photo(self, user_id: str) -> Profile:
        storage = self._photos()
        removed: list[str] = []

        def drop(profile: Profile) -> Change:
            if not profile.is_doctor:
                raise WrongRole(("doctor",))
            removed[:] = [profile.photo_key] if profile.photo_key else []
            if profile.photo_key is None:
                return profile, []
            return replace(profile, photo_key=None, updated_at=self.clock()), ["photo"]

        profile = self._change(user_id, drop)
        for old in removed:
            self._forget_photo(storage, old)
        return profile

    @staticmethod
    def _forget_photo(storage: Photos, key: str) -> None:
        try:
            storage.delete(key)
        except Exception as error:  # the profile no longer points at it: only space is lost
            logger.warning("old photo not deleted", extra={"key": key, "error": str(error)})

    # -- the directory ---------------------------------------------------------------------

    def search(self, query: SearchQuery) -> Page:
        page, lookup = self.cache.get(query)
        if page is not None:
            return page
        listed, after = self.profiles.search(query)
        page = page_of(listed, after, query)
        self.cache.put(lookup, page)
        return page

    def listed_doctor(self, doctor_id: str) -> Profile:
        profile = self.profiles.get(doctor_id)
        if profile is None or not profile.listed:
            raise NotFound()
        return profile

    def _photo_url(self, profile: Profile) -> str:
        if profile.photo_key is None:
            raise NotFound()
        return self._photos().download_url(profile.photo_key)

    def photo_url(self, doctor_id: str) -> str:
        """Where anyone fetches a listed doctor's photo."""
        return self._photo_url(self.listed_doctor(doctor_id))

    def own_photo_url(self, user_id: str) -> str:
        return self._photo_url(self.own_profile(user_id))

    def review_photo_url(self, doctor_id: str) -> str:
        return self._photo_url(self.doctor_for_review(doctor_id))

    # -- patients --------------------------------------------------------------------------

    def patient_for(self, who: Principal, patient_id: str) -> Profile:
        if not may_view_patient(who, patient_id, self.care.treats):
            raise NotFound()
        profile = self.profiles.get(patient_id)
        if profile is None or profile.role != "patient":
            raise NotFound()
        return profile

    # -- administrators --------------------------------------------------------------------

    def doctor_for_review(self, doctor_id: str) -> Profile:
        profile = self.profiles.get(doctor_id)
        if profile is None or not profile.is_doctor:
            raise NotFound()
        return profile

    def review_queue(
        self, status: str, cursor: str | None, limit: int | None
    ) -> tuple[list[Listed], str | None]:
        fingerprint = f"review:{status}"
        after = None
        if cursor is not None:
            after = read_cursor(cursor, fingerprint)
            if after is None:
                raise InvalidFields([Broken("cursor", "cursor_invalid")], in_query=True)
        if status == "verified":
            listed, after = self.profiles.search(
                SearchQuery(limit=limit or DEFAULT_PAGE_SIZE, after=after), whole=True
            )
        else:
            listed, after = self.profiles.review_queue(status, after, limit or DEFAULT_PAGE_SIZE)
        return listed, make_cursor(after, fingerprint) if after else None

    def review(self, doctor_id: str, action: Action, by: str, reason: str | None = None) -> Profile:
        """The administrator `by` (a user id) verifies or suspends the doctor; the decision is
        kept in the doctor's history with the administrator's name as their profile has it."""

        def act(profile: Profile) -> Change:
            if not profile.is_doctor:
                raise NotFound()
            return review(profile, action, self.clock(), reason), ["status"]

        reviewer = self.profiles.get(by)
        who = Reviewer(by, reviewer.full_name if reviewer is not None else None)
        return self._change(
            doctor_id,
            act,
            missing=NotFound,
            reason=reason,
            decide=lambda before, after: decision_of(before, after, action, who),
        )

    def review_history(self, doctor_id: str) -> list[Decision]:
        """Every decision of the doctor's review, newest first."""
        self.doctor_for_review(doctor_id)
        return newest_first(self.profiles.decisions(doctor_id))
