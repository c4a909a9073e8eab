"""How the auth service lays its items out in its one DynamoDB table.

    item                          pk                   sk
    account                       USER#<id>            ACCOUNT
    login claim (phone / e-mail)  PHONE#<e164>         LOGIN
                                  EMAIL#<address>      LOGIN
    OTP challenge                 OTP#<e164>           PURPOSE#<purpose>
    session (refresh family)      FAMILY#<id>          FAMILY    gsi1: USER#<id> / FAMILY#<iso>
    refresh token (by SHA-256)    REFRESH#<hex>        TOKEN
    outbox event (keneya.outbox)  OUTBOX#<event id>    EVENT

Access patterns: log in by phone or e-mail (claim -> account), refresh by token hash (token ->
family), end every session of a user (gsi1). Claims make a phone or e-mail belong to one account:
they are written with the account in one transaction, each on condition it does not exist yet.
Challenges, tokens and sessions carry `expires_at` (the table's TTL) so DynamoDB drops them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from keneya.config import settings
from keneya.tables import gsi1, keyed_item

ACCOUNT_SK = "ACCOUNT"
LOGIN_SK = "LOGIN"
FAMILY_SK = "FAMILY"
TOKEN_SK = "TOKEN"


def account_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def login_pk(kind: str, value: str) -> str:
    return f"{kind.upper()}#{value}"


def otp_key(phone: str, purpose: str) -> tuple[str, str]:
    return f"OTP#{phone}", f"PURPOSE#{purpose}"


def family_pk(family_id: str) -> str:
    return f"FAMILY#{family_id}"


def refresh_pk(digest: str) -> str:
    return f"REFRESH#{digest}"


@dataclass(frozen=True)
class Models:
    Account: type[Model]
    LoginClaim: type[Model]
    OtpChallenge: type[Model]
    Family: type[Model]
    RefreshToken: type[Model]


def models() -> Models:
    """The models bound to the service's table (TABLE_NAME)."""
    return models_for(settings().table_name)


@cache
def models_for(table_name: str) -> Models:
    Item = keyed_item(table_name)

    class Account(Item):
        user_id = UnicodeAttribute()
        role = UnicodeAttribute()
        full_name = UnicodeAttribute()
        phone = UnicodeAttribute(null=True)
        email = UnicodeAttribute(null=True)
        language = UnicodeAttribute(default="fr")
        password_hash = UnicodeAttribute()
        phone_verified = BooleanAttribute(default=False)
        status = UnicodeAttribute(default="active")
        created_at = UTCDateTimeAttribute()
        password_changed_at = UTCDateTimeAttribute()

    class LoginClaim(Item):
        user_id = UnicodeAttribute()
        created_at = UTCDateTimeAttribute()

    class OtpChallenge(Item):
        challenge_id = UnicodeAttribute()
        phone = UnicodeAttribute()
        purpose = UnicodeAttribute()
        user_id = UnicodeAttribute()
        code_hash = UnicodeAttribute()
        salt = UnicodeAttribute()
        attempts = NumberAttribute(default=0)
        sent_at = UTCDateTimeAttribute()
        expires_at = TTLAttribute()

    class Family(Item):
        family_id = UnicodeAttribute()
        user_id = UnicodeAttribute()
        created_at = UTCDateTimeAttribute()
        last_used_at = UTCDateTimeAttribute()
        revoked_at = UTCDateTimeAttribute(null=True)
        revoked_reason = UnicodeAttribute(null=True)
        gsi1pk = UnicodeAttribute()
        gsi1sk = UnicodeAttribute()
        expires_at = TTLAttribute()
        by_user = gsi1()

    class RefreshToken(Item):
        family_id = UnicodeAttribute()
        user_id = UnicodeAttribute()
        issued_at = UTCDateTimeAttribute()
        used_at = UTCDateTimeAttribute(null=True)
        expires_at = TTLAttribute()

    return Models(Account, LoginClaim, OtpChallenge, Family, RefreshToken)
