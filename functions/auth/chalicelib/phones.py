"""Phone numbers and e-mail addresses as logins: one canonical spelling of each.

Phones are kept in E.164. Malians usually write their 8-digit national number in pairs
(`76 12 34 56`); without a country code it is taken as Malian (+223).
"""

from __future__ import annotations

import re

MALI_COUNTRY_CODE = "223"
_SEPARATORS = re.compile(r"[\s.\-()/]")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Malian numbers: 8 digits; mobiles start with 5-9, fixed lines with 2 or 4.
_MALIAN_NATIONAL = re.compile(r"^[2-9]\d{7}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class InvalidLogin(ValueError):
    """Not a phone number / e-mail address we can use; the message says why."""


def normalise_phone(raw: str) -> str:
    """`raw` in E.164 (`+22376123456`), or `InvalidLogin`."""
    compact = _SEPARATORS.sub("", raw or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+"):
        if _MALIAN_NATIONAL.match(compact):
            compact = f"+{MALI_COUNTRY_CODE}{compact}"
        elif compact.startswith(MALI_COUNTRY_CODE) and len(compact) == 11:
            compact = "+" + compact
        else:
            raise InvalidLogin(
                "not a phone number: give it in international form (+223 76 12 34 56) "
                "or as a Malian 8-digit number"
            )
    if not _E164.match(compact):
        raise InvalidLogin("not a phone number in international form (+<country><number>)")
    if compact.startswith(f"+{MALI_COUNTRY_CODE}") and not _MALIAN_NATIONAL.match(compact[4:]):
        raise InvalidLogin("a Malian number has 8 digits after +223")
    return compact


def normalise_email(raw: str) -> str:
    """`raw` trimmed and lower-cased, or `InvalidLogin` when it is not an address."""
    email = (raw or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidLogin("not an e-mail address")
    return email
