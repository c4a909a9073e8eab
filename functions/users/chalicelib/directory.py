"""The doctor directory: how doctors are indexed, searched, ordered and paged.

Verified doctors are indexed (the table's `gsi1`) twice, in the same transaction as every change
of their profile: their profile item in the partition of their specialty, and a compact listing
item (what a card shows) in the partition of all specialties, both ordered by folded name then
id: `DIRECTORY#cardiology` / `DIRECTORY#*`, `traore awa#01J...`. A search reads one partition:
its specialty's, or the one of all. Filters (language, city, name prefix, fee range) are applied
while reading. Pages follow that order, and a cursor holds the last key given, so a page never
repeats or skips a doctor that did not change, whatever was added or removed between two pages.

Doctors awaiting review (or suspended) sit in `REVIEW#pending` / `REVIEW#suspended`, oldest
first, for administrators. Patients and administrators are not indexed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.errors import Broken, InvalidFields
from chalicelib.profiles import Profile
from chalicelib.vocabularies import SPECIALTIES, Language, language_label, specialty_label

DIRECTORY_PREFIX = "DIRECTORY#"
REVIEW_PREFIX = "REVIEW#"
ALL_SPECIALTIES = "*"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
PHOTO_PATH = "/api/v1/users/doctors/{id}/photo"

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def folded(text: str | None) -> str:
    """Lower case, accents and punctuation dropped, one space between words: what people type
    ("Ségou", "segou" and "SEGOU" are one city; "Traoré" is found by "trao")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", plain).strip()


def name_search_text(full_name: str) -> str:
    """The name as the search reads it: a word prefix `p` matches where " p" occurs."""
    return f" {folded(full_name)} "


def directory_partition(specialty: str) -> str:
    return f"{DIRECTORY_PREFIX}{specialty}"


def index_keys(profile: Profile) -> tuple[str, str] | None:
    """Where a profile sits in `gsi1`, if anywhere."""
    if profile.role != "doctor" or profile.status is None:
        return None
    if profile.status == "verified" and profile.specialty:
        return (
            directory_partition(profile.specialty),
            f"{folded(profile.full_name)}#{profile.user_id}",
        )
    since = (profile.status_changed_at or profile.created_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{REVIEW_PREFIX}{profile.status}", f"{since}#{profile.user_id}"


def cache_scopes(before: Profile | None, after: Profile) -> set[str]:
    """The cached searches a change of a doctor can alter: every search, and those of the
    specialties the doctor was or is listed in. Empty when they were and are not listed."""
    listed = [p for p in (before, after) if p is not None and p.listed]
    if not listed:
        return set()
    return {ALL_SPECIALTIES} | {p.specialty for p in listed if p.specialty}


@dataclass(frozen=True)
class SearchQuery:
    specialty: str | None = None
    language: str | None = None
    city: str | None = None
    name: str | None = None
    fee_min: int | None = None
    fee_max: int | None = None
    limit: int = DEFAULT_PAGE_SIZE
    after: str | None = None

    @property
    def scope(self) -> str:
        return self.specialty or ALL_SPECIALTIES

    @property
    def partition(self) -> str:
        return directory_partition(self.scope)

    def filters(self) -> dict[str, Any]:
        return {
            "specialty": self.specialty,
            "language": self.language,
            "city": self.city,
            "name": self.name,
            "fee_min": self.fee_min,
            "fee_max": self.fee_max,
        }

    def fingerprint(self) -> str:
        """Identifies the filters, so a cursor cannot be replayed on another search."""
        canonical = json.dumps(self.filters(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def cache_key(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def matches(self, profile: Profile) -> bool:
        """The filters in plain Python (the store applies the same ones while reading)."""
        return (
            profile.listed
            and (self.specialty is None or profile.specialty == self.specialty)
            and (self.language is None or self.language in profile.languages)
            and (self.city is None or folded(profile.city) == self.city)
            and (self.name is None or f" {self.name}" in name_search_text(profile.full_name))
            and (self.fee_min is None or (profile.fee_xof or 0) >= self.fee_min)
            and (self.fee_max is None or (profile.fee_xof or 0) <= self.fee_max)
        )


def search_query(
    *,
    specialty: str | None = None,
    language: str | None = None,
    city: str | None = None,
    name: str | None = None,
    fee_min: int | None = None,
    fee_max: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> SearchQuery:
    """A checked, normalised query; `InvalidFields` names every parameter that is wrong."""
    from chalicelib.vocabularies import SPOKEN_LANGUAGES

    broken = []
    if specialty is not None and specialty not in SPECIALTIES:
        broken.append(Broken("specialty", "specialty_unknown"))
    if language is not None and language not in SPOKEN_LANGUAGES:
        broken.append(Broken("language", "language_unknown"))
    if fee_min is not None and fee_max is not None and fee_min > fee_max:
        broken.append(Broken("fee_max", "fee_range"))
    folded_name = folded(name) or None
    if name is not None and folded_name is None:
        broken.append(Broken("name", "name_prefix_empty"))
    query = SearchQuery(
        specialty=specialty,
        language=language,
        city=folded(city) or None,
        name=folded_name,
        fee_min=fee_min,
        fee_max=fee_max,
        limit=limit or DEFAULT_PAGE_SIZE,
    )
    after = None
    if cursor is not None:
        after = read_cursor(cursor, query.fingerprint())
        if after is None:
            broken.append(Broken("cursor", "cursor_invalid"))
    if broken:
        raise InvalidFields(broken, in_query=True)
    return SearchQuery(**{**asdict(query), "after": after})


def make_cursor(after: str, fingerprint: str) -> str:
    raw = json.dumps({"a": after, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str, fingerprint: str) -> str | None:
    """The key a cursor continues after, or None when it is not one of this search's."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw)
        after, given = document["a"], document["f"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(after, str) or given != fingerprint or not after:
        return None
    return after


@dataclass(frozen=True)
class Listed:
    """A doctor as read from the index: its key there and its profile."""

    key: str
    profile: Profile


@dataclass(frozen=True)
class Page:
    """A page of results as cached: language-neutral cards and the cursor of the next page."""

    cards: list[dict[str, Any]]
    next_cursor: str | None

    def to_json(self) -> str:
        return json.dumps({"cards": self.cards, "next_cursor": self.next_cursor})

    @classmethod
    def from_json(cls, raw: str) -> Page:
        document = json.loads(raw)
        return cls(document["cards"], document["next_cursor"])


def page_of(listed: list[Listed], after: str | None, query: SearchQuery) -> Page:
    """A page of cards, and the cursor to continue after `after` if more may follow."""
    cursor = make_cursor(after, query.fingerprint()) if after else None
    return Page([card(item.profile) for item in listed], cursor)


def photo_version(photo_key: str | None) -> str | None:
    """The upload id at the end of the photo's key: changes whenever the photo does."""
    return photo_key.rsplit("/", 1)[-1] if photo_key else None


def card(profile: Profile) -> dict[str, Any]:
    """What anyone may see of a listed doctor, without words (codes only)."""
    return {
        "id": profile.user_id,
        "full_name": profile.full_name,
        "sex": profile.sex,
        "specialty": profile.specialty,
        "languages": list(profile.languages),
        "city": profile.city,
        "facility": profile.facility,
        "fee_xof": profile.fee_xof,
        "photo": photo_version(profile.photo_key),
    }


def render_card(item: dict[str, Any], language: Language) -> dict[str, Any]:
    """A card as people read it: labels in `language`, the photo's URL."""
    photo = item.get("photo")
    return {
        **{k: v for k, v in item.items() if k != "photo"},
        "specialty": {
            "code": item["specialty"],
            "label": specialty_label(item["specialty"], language),
        },
        "languages": [
            {"code": code, "label": language_label(code, language)} for code in item["languages"]
        ],
        "photo_url": f"{PHOTO_PATH.format(id=item['id'])}?v={photo}" if photo else None,
    }
