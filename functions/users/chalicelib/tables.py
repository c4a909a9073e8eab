"""How the users service lays its items out in its one DynamoDB table.

    item                               pk                    sk
    profile (any role)                 USER#<id>             PROFILE
        gsi1 (doctors only)            DIRECTORY#<specialty> <folded name>#<id>   while verified
                                       REVIEW#<status>       <since>#<id>         otherwise
    review decision on a doctor        USER#<id>             DECISION#<UTC time>#<id>
    listing of a verified doctor       LISTING#<id>          ALL
        gsi1                           DIRECTORY#*           <folded name>#<id>
    consultation of a doctor with      CARE#<doctor id>      PATIENT#<patient id>#<consultation id>
    a patient (from events)
    applied event ids (keneya.consumer) APPLIED#users        <event id>
    outbox event (keneya.outbox)       OUTBOX#<event id>     EVENT

Access patterns: a profile by user id (every route); the directory by specialty, or across
specialties (the listings: only what a card shows, kept with the profile in one transaction), in
name order, filtered while read (search); the review queue by status (administrators); a
doctor's review decisions, newest first (one query on their own partition, each written in the
transaction of the change it records); whether a doctor has a consultation with a patient
(privacy: one query on the doctor's CARE partition).
A doctor's schedule lives in its profile item, so a profile and its schedule change together
under one revision number (the condition of every write).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from keneya.config import settings
from keneya.tables import gsi1, keyed_item

PROFILE_SK = "PROFILE"
LISTING_SK = "ALL"
DECISION_PREFIX = "DECISION#"


def profile_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def listing_pk(user_id: str) -> str:
    return f"LISTING#{user_id}"


def decision_sk(decided_at: str, decision_id: str) -> str:
    """`decided_at` as ISO-8601 UTC: the keys sort in the order of the decisions."""
    return f"{DECISION_PREFIX}{decided_at}#{decision_id}"


def care_key(doctor_id: str, patient_id: str, consultation_id: str) -> tuple[str, str]:
    return f"CARE#{doctor_id}", f"{care_prefix(patient_id)}{consultation_id}"


def care_prefix(patient_id: str) -> str:
    return f"PATIENT#{patient_id}#"


@dataclass(frozen=True)
class Models:
    ProfileItem: type[Model]
    CareItem: type[Model]
    DecisionItem: type[Model]


def models() -> Models:
    """The models bound to the service's table (TABLE_NAME)."""
    return models_for(settings().table_name)


@cache
def models_for(table_name: str) -> Models:
    Item = keyed_item(table_name)

    class ProfileItem(Item):
        user_id = UnicodeAttribute()
        role = UnicodeAttribute()
        full_name = UnicodeAttribute()
        language = UnicodeAttribute(default="fr")
        phone = UnicodeAttribute(null=True)
        phone_verified = BooleanAttribute(default=False)
        email = UnicodeAttribute(null=True)
        city = UnicodeAttribute(null=True)
        sex = UnicodeAttribute(null=True)
        date_of_birth = UnicodeAttribute(null=True)
        emergency_contact = JSONAttribute(null=True)
        specialty = UnicodeAttribute(null=True)
        # A list, not a set: the doctor's order is the order shown.
        languages = ListAttribute(of=UnicodeAttribute, null=True)
        licence_number = UnicodeAttribute(null=True)
        facility = UnicodeAttribute(null=True)
        biography = UnicodeAttribute(null=True)
        fee_xof = NumberAttribute(null=True)
        photo_key = UnicodeAttribute(null=True)
        status = UnicodeAttribute(null=True)
        status_reason = UnicodeAttribute(null=True)
        status_changed_at = UTCDateTimeAttribute(null=True)
        verified_at = UTCDateTimeAttribute(null=True)
        availability = JSONAttribute(null=True)
        availability_updated_at = UTCDateTimeAttribute(null=True)
        created_at = UTCDateTimeAttribute()
        updated_at = UTCDateTimeAttribute()
        revision = NumberAttribute()
        # What the directory's filters read (folded: no case, accents or punctuation).
        city_key = UnicodeAttribute(null=True)
        name_search = UnicodeAttribute(null=True)
        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        directory = gsi1()

    class CareItem(Item):
        doctor_id = UnicodeAttribute()
        patient_id = UnicodeAttribute()
        consultation_id = UnicodeAttribute()
        status = UnicodeAttribute()
        updated_at = UTCDateTimeAttribute()

    class DecisionItem(Item):
        doctor_id = UnicodeAttribute()
        action = UnicodeAttribute()
        status_before = UnicodeAttribute()
        status_after = UnicodeAttribute()
        decided_at = UTCDateTimeAttribute()
        admin_id = UnicodeAttribute()
        admin_name = UnicodeAttribute(null=True)
        reason = UnicodeAttribute(null=True)

    return Models(ProfileItem, CareItem, DecisionItem)
