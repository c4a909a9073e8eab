"""Profiles and consultations in the service's table (layout in `chalicelib.tables`): the
adapters behind the `Profiles` and `Care` ports of `chalicelib.service`.

Every change of a profile is one conditional write on its revision, in the same transaction as
the events it causes (the outbox): two requests racing on a profile cannot both win, and no
event is published for a change that was not saved.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from chalicelib.care import GRANTS_ACCESS, CareStatus, next_status
from chalicelib.directory import (
    ALL_SPECIALTIES,
    REVIEW_PREFIX,
    Listed,
    SearchQuery,
    directory_partition,
    folded,
    index_keys,
    name_search_text,
)
from chalicelib.errors import ConcurrentUpdate
from chalicelib.profiles import EmergencyContact, Profile
from chalicelib.schedules import availability_from_payload
from chalicelib.tables import (
    DECISION_PREFIX,
    LISTING_SK,
    PROFILE_SK,
    Models,
    care_key,
    care_prefix,
    decision_sk,
    listing_pk,
    profile_pk,
)
from chalicelib.verification import Decision, Reviewer
from keneya.correlation import new_id
from keneya.events import Event
from keneya.outbox import OutboxTransaction

# What a card needs: the schedule and biography are left in the table.
_CARD_ATTRIBUTES = [
    "pk",
    "sk",
    "user_id",
    "role",
    "full_name",
    "sex",
    "specialty",
    "languages",
    "city",
    "facility",
    "fee_xof",
    "photo_key",
    "status",
    "created_at",
    "updated_at",
    "revision",
    "gsi1pk",
    "gsi1sk",
]
# What the directory's filters read, besides the card's own fields.
_FILTER_ATTRIBUTES = ["city_key", "name_search"]


def _utc_key(moment: datetime) -> str:
    """A time as a sort key: UTC, fixed width, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _conditional_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


# A filtered search reads pages of this many index entries, and stops after this many, or this
# long, to answer fast: a rare combination of filters then gives a short page and a cursor to
# read on.
FILTERED_PAGE_SIZE = 500
READ_BUDGET = 1500
TIME_BUDGET_SECONDS = 1.0


class ProfileStore:
    def __init__(
        self,
        models: Models,
        *,
        filtered_page_size: int = FILTERED_PAGE_SIZE,
        read_budget: int = READ_BUDGET,
        time_budget_seconds: float = TIME_BUDGET_SECONDS,
    ) -> None:
        self._Item = models.ProfileItem
        self._Decision = models.DecisionItem
        self._filtered_page_size = filtered_page_size
        self._read_budget = read_budget
        self._time_budget = time_budget_seconds

    # -- one profile -----------------------------------------------------------------------

    def get(self, user_id: str) -> Profile | None:
        try:
            item = self._Item.get(profile_pk(user_id), PROFILE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return self._profile(item)

    def create(self, profile: Profile) -> bool:
        """Store a new profile; False when the user already has one (nothing is changed)."""
        try:
            self._item(profile).save(condition=self._Item.pk.does_not_exist())
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def replace(
        self,
        before: Profile,
        after: Profile,
        events: Iterable[Event] = (),
        decision: Decision | None = None,
    ) -> None:
        """Save `after` in place of `before` and emit `events` (and keep the review `decision`
        that made the change), atomically; raises `ConcurrentUpdate` when the stored profile is
        no longer `before`."""
        try:
            with OutboxTransaction() as tx:
                tx.save(self._item(after), condition=self._Item.revision == before.revision)
                if after.listed:
                    tx.save(self._listing(after))
                elif before.listed:
                    tx.delete(self._Item(listing_pk(after.user_id), LISTING_SK))
                if decision is not None:
                    tx.save(self._decision_item(decision))
                for event in events:
                    tx.emit(event)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise ConcurrentUpdate() from None
            raise

    # -- the review's decisions -------------------------------------------------------------

    def decisions(self, doctor_id: str, limit: int = 100) -> list[Decision]:
        """The doctor's review decisions, newest first (the latest `limit`)."""
        Item = self._Decision
        items = Item.query(
            profile_pk(doctor_id),
            Item.sk.startswith(DECISION_PREFIX),
            scan_index_forward=False,
            limit=limit,
        )
        return [
            Decision(
                doctor_id=item.doctor_id,
                action=item.action,
                status_before=item.status_before,
                status_after=item.status_after,
                decided_at=item.decided_at,
                by=Reviewer(item.admin_id, getattr(item, "admin_name", None)),
                reason=getattr(item, "reason", None),
            )
            for item in items
        ]

    def _decision_item(self, decision: Decision) -> Any:
        return self._Decision(
            profile_pk(decision.doctor_id),
            decision_sk(_utc_key(decision.decided_at), new_id()),
            doctor_id=decision.doctor_id,
            action=decision.action,
            status_before=decision.status_before,
            status_after=decision.status_after,
            decided_at=decision.decided_at,
            admin_id=decision.by.user_id,
            admin_name=decision.by.full_name,
            reason=decision.reason,
        )

    # -- the directory ---------------------------------------------------------------------

    def search(self, query: SearchQuery, *, whole: bool = False) -> tuple[list[Listed], str | None]:
        """One page of the directory for `query`, and the key to continue after when more may
        follow. The page is short (even empty) with a key when the filters matched too few of
        the entries read within the budget. The profiles hold what a card shows unless `whole`
        (then read again from their items)."""
        Item = self._Item
        filters = []
        if query.language:
            filters.append(Item.languages.contains(query.language))
        if query.city:
            filters.append(Item.city_key == query.city)
        if query.name:
            filters.append(Item.name_search.contains(f" {query.name}"))
        if query.fee_min is not None:
            filters.append(Item.fee_xof >= query.fee_min)
        if query.fee_max is not None:
            filters.append(Item.fee_xof <= query.fee_max)
        filter_condition = None
        for each in filters:
            filter_condition = each if filter_condition is None else filter_condition & each
        wanted = query.limit + 1
        pages = Item.directory.query(
            query.partition,
            range_key_condition=(Item.gsi1sk > query.after) if query.after else None,
            filter_condition=filter_condition,
            # Filters drop entries after they are read: read many at a time.
            page_size=max(wanted, self._filtered_page_size) if filters else wanted,
            attributes_to_get=_CARD_ATTRIBUTES,
        ).page_iter
        listed: list[Listed] = []
        read, started = 0, time.monotonic()
        for page in pages:
            for raw in page.get("Items", []):
                listed.append(Listed(raw["gsi1sk"]["S"], self._profile(Item.from_raw_data(raw))))
            read += page["ScannedCount"]
            if len(listed) >= wanted or pages.last_evaluated_key is None:
                break
            if read >= self._read_budget or time.monotonic() - started > self._time_budget:
                break
        if len(listed) > query.limit:
            listed = listed[: query.limit]
            after: str | None = listed[-1].key
        elif pages.last_evaluated_key is not None:
            after = pages.last_evaluated_key["gsi1sk"]["S"]
        else:
            after = None
        if whole:
            profiles = self._many([item.profile.user_id for item in listed])
            listed = [
                Listed(item.key, profiles.get(item.profile.user_id, item.profile))
                for item in listed
            ]
        return listed, after

    def _many(self, user_ids: list[str]) -> dict[str, Profile]:
        keys = [(profile_pk(user_id), PROFILE_SK) for user_id in user_ids]
        return {item.user_id: self._profile(item) for item in self._Item.batch_get(keys)}

    def review_queue(
        self, status: str, after: str | None, limit: int
    ) -> tuple[list[Listed], str | None]:
        """Doctors with `status` (pending or suspended), longest waiting first, and the key to
        continue after when more follow."""
        results = self._Item.directory.query(
            f"{REVIEW_PREFIX}{status}",
            range_key_condition=(self._Item.gsi1sk > after) if after else None,
            limit=limit + 1,
        )
        listed = [Listed(item.gsi1sk, self._profile(item)) for item in results]
        if len(listed) > limit:
            return listed[:limit], listed[limit - 1].key
        return listed, None

    # -- mapping ---------------------------------------------------------------------------

    def items_of(self, profile: Profile) -> list[Any]:
        """The items a profile is stored as: its own, and its listing while it is listed."""
        return (
            [self._item(profile), self._listing(profile)]
            if profile.listed
            else [self._item(profile)]
        )

    def _listing(self, profile: Profile) -> Any:
        """The compact item that lists a verified doctor among all specialties."""
        whole = self._item(profile)
        return self._Item(
            listing_pk(profile.user_id),
            LISTING_SK,
            **{
                name: getattr(whole, name)
                for name in _CARD_ATTRIBUTES + _FILTER_ATTRIBUTES
                if name not in ("pk", "sk", "gsi1pk")
            },
            gsi1pk=directory_partition(ALL_SPECIALTIES),
        )

    def _item(self, profile: Profile) -> Any:
        keys = index_keys(profile)
        availability = profile.availability
        return self._Item(
            profile_pk(profile.user_id),
            PROFILE_SK,
            user_id=profile.user_id,
            role=profile.role,
            full_name=profile.full_name,
            language=profile.language,
            phone=profile.phone,
            phone_verified=profile.phone_verified,
            email=profile.email,
            city=profile.city,
            sex=profile.sex,
            date_of_birth=profile.date_of_birth.isoformat() if profile.date_of_birth else None,
            emergency_contact=(
                profile.emergency_contact.as_payload() if profile.emergency_contact else None
            ),
            specialty=profile.specialty,
            languages=list(profile.languages) or None,
            licence_number=profile.licence_number,
            facility=profile.facility,
            biography=profile.biography,
            fee_xof=profile.fee_xof,
            photo_key=profile.photo_key,
            status=profile.status,
            status_reason=profile.status_reason,
            status_changed_at=profile.status_changed_at,
            verified_at=profile.verified_at,
            availability=availability.as_payload() if availability else None,
            availability_updated_at=profile.availability_updated_at,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
            revision=profile.revision,
            city_key=folded(profile.city) or None,
            name_search=name_search_text(profile.full_name) if profile.is_doctor else None,
            gsi1pk=keys[0] if keys else None,
            gsi1sk=keys[1] if keys else None,
        )

    @staticmethod
    def _profile(item: Any) -> Profile:
        contact = getattr(item, "emergency_contact", None)
        availability = getattr(item, "availability", None)
        born = getattr(item, "date_of_birth", None)
        return Profile(
            user_id=item.user_id,
            role=item.role,
            full_name=item.full_name,
            created_at=item.created_at,
            updated_at=item.updated_at,
            revision=int(item.revision),
            language=getattr(item, "language", None) or "fr",
            phone=getattr(item, "phone", None),
            phone_verified=bool(getattr(item, "phone_verified", False)),
            email=getattr(item, "email", None),
            city=getattr(item, "city", None),
            sex=getattr(item, "sex", None),
            date_of_birth=date.fromisoformat(born) if born else None,
            emergency_contact=EmergencyContact(**contact) if contact else None,
            specialty=getattr(item, "specialty", None),
            languages=tuple(getattr(item, "languages", None) or ()),
            licence_number=getattr(item, "licence_number", None),
            facility=getattr(item, "facility", None),
            biography=getattr(item, "biography", None),
            fee_xof=int(item.fee_xof) if getattr(item, "fee_xof", None) is not None else None,
            photo_key=getattr(item, "photo_key", None),
            status=getattr(item, "status", None),
            status_reason=getattr(item, "status_reason", None),
            status_changed_at=getattr(item, "status_changed_at", None),
            verified_at=getattr(item, "verified_at", None),
            availability=availability_from_payload(availability) if availability else None,
            availability_updated_at=getattr(item, "availability_updated_at", None),
        )


class CareStore:
    """Consultations between doctors and patients, as far as access to profiles needs."""

    def __init__(self, models: Models) -> None:
        self._Item = models.CareItem

    def record(
        self,
        doctor_id: str,
        patient_id: str,
        consultation_id: str,
        arriving: CareStatus,
        now: datetime,
    ) -> bool:
        """Move the consultation's status forward; False when the event changes nothing
        (a repeat, or news older than what is known)."""
        Item = self._Item
        pk, sk = care_key(doctor_id, patient_id, consultation_id)
        for _ in range(3):
            try:
                current = Item.get(pk, sk, consistent_read=True).status
            except DoesNotExist:
                current = None
            status = next_status(current, arriving)
            if status is None:
                return False
            item = Item(
                pk,
                sk,
                doctor_id=doctor_id,
                patient_id=patient_id,
                consultation_id=consultation_id,
                status=status,
                updated_at=now,
            )
            condition = Item.pk.does_not_exist() if current is None else Item.status == current
            try:
                item.save(condition=condition)
            except PutError as error:
                if _conditional_failure(error):
                    continue  # another event of this consultation landed first: read again
                raise
            return True
        raise ConcurrentUpdate()

    def treats(self, doctor_id: str, patient_id: str) -> bool:
        pk, _ = care_key(doctor_id, patient_id, "")
        Item = self._Item
        return any(
            item.status in GRANTS_ACCESS
            for item in Item.query(pk, Item.sk.startswith(care_prefix(patient_id)))
        )
