"""The ways a users request can fail, as domain exceptions.

They carry facts (which field, which rule), never wording: `chalicelib.problems` turns each into
one problem+json answer in the caller's language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Broken:
    """One broken rule: the field (dotted path, as the client sent it) and the rule's code."""

    field: str
    code: str


class UsersError(Exception):
    """Base of every failure the client can act on."""


class InvalidFields(UsersError):
    """Values that are well-formed but break a rule (a specialty not in the list, an
    overlapping time range, a day in the past...)."""

    def __init__(self, broken: list[Broken], *, in_query: bool = False) -> None:
        super().__init__(", ".join(f"{b.field}: {b.code}" for b in broken))
        self.broken = broken
        self.in_query = in_query


class NotFound(UsersError):
    """No such resource, or one the caller may not see: the answer is the same."""


class ProfileNotReady(UsersError):
    """The account exists but its profile is still being created from `user.registered`."""


class WrongRole(UsersError):
    """The caller's own resource, but this action is for another role (`allowed`)."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__(f"for {' or '.join(allowed)} only")
        self.allowed = allowed


class TransitionRefused(UsersError):
    """A verification action that the doctor's status does not allow (verify a verified one)."""

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"cannot {action} a {status} doctor")
        self.status = status
        self.action = action


class IncompleteProfile(UsersError):
    """A doctor cannot be verified before these fields are filled in."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing: {', '.join(missing)}")
        self.missing = missing


class LockedFields(UsersError):
    """Fields that only an administrator's review can change once the doctor is verified."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"locked: {', '.join(fields)}")
        self.fields = fields


class ConcurrentUpdate(UsersError):
    """The profile kept changing under this request; the client may retry."""


class PhotoRejected(UsersError):
    """The photo announced or uploaded is missing, too large or small, or not an image of an
    accepted type; `field` is the request field it is about."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{field}: {code}")
        self.code = code
        self.field = field
