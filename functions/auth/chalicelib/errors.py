"""The few ways an auth request can fail, as domain exceptions.

They carry facts (which field, how many seconds), never wording: `chalicelib.problems` turns
each into one problem+json answer in the caller's language.
"""

from __future__ import annotations


class AuthError(Exception):
    """Base of every failure the client can act on."""


class DuplicateLogin(AuthError):
    """The phone number and/or e-mail address already belong to an account."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"already registered: {', '.join(fields)}")
        self.fields = fields


class WeakPassword(AuthError):
    """The password breaks the policy; `reasons` are codes of `chalicelib.passwords`."""

    def __init__(self, reasons: list[str], field: str = "password") -> None:
        super().__init__(f"weak password: {', '.join(reasons)}")
        self.reasons = reasons
        self.field = field


class InvalidCredentials(AuthError):
    """Unknown account or wrong password: deliberately the same failure."""


class WrongCurrentPassword(AuthError):
    """The current password given to change it is wrong."""


class AccountDisabled(AuthError):
    """The credentials are right but the account may not sign in."""


class TooManyAttempts(AuthError):
    """A rate limit or lockout refuses the request for `retry_after` seconds.

    `what` says which limit: "login", "otp_send", "otp_cooldown", "otp_verify".
    """

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"{what}: retry after {retry_after}s")
        self.what = what
        self.retry_after = max(1, int(retry_after))


class LimitsUnavailable(AuthError):
    """The rate-limit store (Redis) cannot be reached."""


class OtpInvalid(AuthError):
    """Wrong code; `attempts_left` more tries are allowed on this code."""

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong code, {attempts_left} attempts left")
        self.attempts_left = attempts_left


class OtpExpired(AuthError):
    """No live code for this phone and purpose (never sent, expired or already used)."""


class OtpExhausted(AuthError):
    """Every attempt on this code was used; a new code must be requested."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("no attempts left on this code")
        self.retry_after = max(1, int(retry_after))


class InvalidRefreshToken(AuthError):
    """Unknown, expired or revoked refresh token."""


class RefreshTokenReused(AuthError):
    """An already-used refresh token came back: its whole session was revoked."""


class SameAsCurrentPassword(AuthError):
    """The new password equals the current one."""
