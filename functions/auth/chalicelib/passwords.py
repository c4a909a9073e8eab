"""Password policy and password hashing (argon2id).

Policy (NIST SP 800-63B style: length and a block-list, no composition rules): 8 to 128
characters; not one of the ~20,000 most common passwords (the list Django ships, compiled by
Royce Williams from breach corpora; file `common-passwords.txt.gz`, BSD-3-Clause), nor such a
word followed by digits or symbols (`azerty2024!`); not built on the person's phone number,
e-mail or name; at least 4 different characters.

Hashing parameters (argon2id, RFC 9106): memory 46 MiB, 1 pass, 1 lane — the first of OWASP's
equivalent argon2id settings, the one that spends memory rather than passes, which costs a
GPU/ASIC attacker most for the same time on our side. One lane because a Lambda of the auth
service (1024 MB) has less than one vCPU: extra lanes would run one after the other. The
parameters are written into every hash, so raising them later needs no migration: a login
re-hashes a password whose hash `needs_rehash`.
"""

from __future__ import annotations

import gzip
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
# Long enough for any passphrase; bounded so nobody makes us hash megabytes.
MAX_LENGTH = 128
MIN_DISTINCT_CHARACTERS = 4

ARGON2_MEMORY_KIB = 46 * 1024
ARGON2_TIME_COST = 1
ARGON2_PARALLELISM = 1

# Codes of the policy's reasons (they name a text in chalicelib.texts).
TOO_SHORT = "password_too_short"
TOO_LONG = "password_too_long"
COMMON = "password_common"
PERSONAL = "password_personal"
REPETITIVE = "password_repetitive"

_COMMON_LIST = Path(__file__).with_name("common-passwords.txt.gz")
# Words Malian users reach for that an English-speaking breach list under-represents.
_LOCAL_COMMON = frozenset(
    {
        "keneya",
        "bamako",
        "mali",
        "malien",
        "malienne",
        "sikasso",
        "kayes",
        "segou",
        "mopti",
        "tombouctou",
        "gao",
        "koulikoro",
        "motdepasse",
        "azerty",
        "azertyuiop",
        "bonjour",
        "inshallah",
        "allahakbar",
        "alhamdoulillah",
        "orangemoney",
        "moovmoney",
    }
)
_TRAILING_DECORATION = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_LIST, "rt", encoding="utf-8") as lines:
        listed = {line.strip().lower() for line in lines if line.strip()}
    return frozenset(listed | _LOCAL_COMMON)


def _normalised(password: str) -> str:
    # The same password typed on two keyboards must hash the same (composed vs decomposed é).
    return unicodedata.normalize("NFKC", password)


def password_issues(
    password: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    full_name: str | None = None,
) -> list[str]:
    """Every policy rule `password` breaks (codes above); empty when it is acceptable."""
    password = _normalised(password)
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    issues = []
    lowered = password.lower()
    base = _TRAILING_DECORATION.sub("", lowered)
    listed = common_passwords()
    if lowered in listed or (len(base) >= 4 and base in listed):
        issues.append(COMMON)
    personal = []
    if phone:
        personal.append(phone.lstrip("+")[-8:])
    if email:
        personal.append(email.split("@", 1)[0].lower())
    if full_name:
        personal.extend(part.lower() for part in re.split(r"[\s'-]+", full_name))
    if any(len(item) >= 4 and item in lowered for item in personal):
        issues.append(PERSONAL)
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        issues.append(REPETITIVE)
    return issues


class PasswordHasher:
    """argon2id hashing, verification, and a decoy verification for unknown accounts."""

    def __init__(
        self,
        memory_kib: int = ARGON2_MEMORY_KIB,
        time_cost: int = ARGON2_TIME_COST,
        parallelism: int = ARGON2_PARALLELISM,
    ) -> None:
        from argon2 import PasswordHasher as Argon2
        from argon2 import Type

        self._argon2 = Argon2(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(_normalised(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return self._argon2.verify(stored_hash, _normalised(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_decoy(self, password: str) -> bool:
        """Spend what a real verification spends, for an account that does not exist, so the
        answer's timing does not say whether it does. Always False."""
        if self._decoy is None:
            self._decoy = self.hash(secrets.token_urlsafe(24))
        self.verify(self._decoy, password)
        return False

    def needs_rehash(self, stored_hash: str) -> bool:
        from argon2.exceptions import InvalidHashError

        try:
            return self._argon2.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
