"""The auth service's use cases: registration, phone verification by code, login, sessions,
passwords and the signing keys, from checked input to stored result and events.

`Auth` sees the world through the ports below: `Accounts`, `Challenges` and `Sessions` (the
service's table, `chalicelib.store`), `Limits` (Redis, `chalicelib.limits_store`) and `Keys`
(the key ring of `chalicelib.signing_keys` over Secrets Manager). `chalicelib.bootstrap` wires
them once per process; the tests wire the fakes of `tests/auth/fakes.py`. Every failure is a
`chalicelib.errors` exception; the events (a code's SMS among them) go out with the stored
change that causes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access_tokens import AccessClaims, issue_access_token, read_access_token
from chalicelib.accounts import ACTIVE, Account, AccountChange, LoginKind, Role
from chalicelib.errors import (
    AccountDisabled,
    InvalidCredentials,
    InvalidRefreshToken,
    LimitsUnavailable,
    OtpExhausted,
    OtpExpired,
    OtpInvalid,
    RefreshTokenReused,
    SameAsCurrentPassword,
    TooManyAttempts,
    WeakPassword,
    WrongCurrentPassword,
)
from chalicelib.otp import Challenge, Purpose, Verdict
from chalicelib.passwords import PasswordHasher, password_issues
from chalicelib.policy import AuthPolicy
from chalicelib.rate_limits import LockoutPolicy, Window
from chalicelib.sessions import (
    IssuedSession,
    Rotation,
    StoredToken,
    new_refresh_token,
    token_digest,
)
from chalicelib.signing_keys import KeyRing, SigningKey
from keneya.clock import utc_now
from keneya.correlation import new_id
from keneya.events import Event, new_event
from keneya.logs import logger

HOUR = 3600


# -- ports -----------------------------------------------------------------------------------


class Accounts(Protocol):
    def register(self, account: Account, event: Event) -> None:
        """Store `account` with its login claims and `event`; `DuplicateLogin` naming the
        identifiers another account already holds."""
        ...

    def get(self, user_id: str) -> Account | None: ...

    def find_by_login(self, kind: LoginKind, value: str) -> Account | None:
        """The account holding this phone or e-mail; an unknown one costs the same reads."""
        ...

    def commit(self, change: AccountChange) -> bool:
        """Store `change` whole; False when a condition failed (the code was used meanwhile,
        the password or the phone changed), and then nothing is stored."""
        ...

    def rehash(self, account: Account, password_hash: str) -> None:
        """Store a stronger hash of the same password, unless the password changed meanwhile."""
        ...


class Challenges(Protocol):
    def get(self, phone: str, purpose: Purpose) -> Challenge | None: ...

    def replace(self, challenge: Challenge, event: Event) -> None:
        """Store `challenge` in place of any earlier one, with the event that sends its code."""
        ...

    def record_attempt(self, challenge: Challenge, max_attempts: int) -> bool:
        """Count one attempt on this very challenge, before its code is compared; False when
        none is left or the challenge was replaced or used meanwhile."""
        ...


class Sessions(Protocol):
    def open(self, session: IssuedSession, digest: str, now: datetime) -> None:
        """Store a new family and its first token (kept as `digest` only)."""
        ...

    def token(self, digest: str) -> StoredToken | None: ...

    def is_live(self, family_id: str) -> bool:
        """Whether the family exists and was not revoked."""
        ...

    def rotate(
        self, used: StoredToken, following: str, now: datetime, expires_at: datetime
    ) -> Rotation:
        """Mark `used` used and store its successor (digest `following`) at once, if `used`
        is still unused and its family alive."""
        ...

    def revoke(self, family_id: str, reason: str, now: datetime) -> bool:
        """Revoke the family; False when it was already revoked or does not exist."""
        ...

    def live_families(self, user_id: str) -> list[str]: ...


class Limits(Protocol):
    """Counters shared by every instance; each method raises `LimitsUnavailable` when they
    cannot be reached."""

    def hit(self, window: Window, subject: str) -> int:
        """Count one event; 0 within the limit, else the seconds until one more is allowed
        (the refused event is not counted)."""
        ...

    def peek(self, window: Window, subject: str) -> int:
        """Like `hit` without counting."""
        ...

    def lock_remaining(self, policy: LockoutPolicy, subject: str) -> int: ...

    def record_failure(self, policy: LockoutPolicy, subject: str) -> int:
        """Count a failed login; the length of the lockout it started (0: none)."""
        ...

    def clear_failures(
        self, policy: LockoutPolicy, subject: str, *, forget_lockouts: bool
    ) -> None: ...

    def start_cooldown(self, name: str, subject: str, seconds: int) -> int:
        """0 when a cooldown was started, else the seconds left of the running one."""
        ...


class Keys(Protocol):
    def signing_key(self) -> SigningKey: ...

    def key_for(self, kid: str) -> SigningKey | None: ...

    def jwks(self) -> dict[str, Any]: ...

    def rotate(self, *, force: bool = False, immediately: bool = False) -> KeyRing: ...


# -- use cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user_id: str
    role: str
    session_id: str


@dataclass(frozen=True)
class OtpSent:
    expires_in: int
    resend_after: int


@dataclass
class Auth:
    policy: AuthPolicy
    hasher: PasswordHasher
    accounts: Accounts
    sessions: Sessions
    challenges: Challenges
    keys: Keys
    limits: Limits
    clock: Callable[[], datetime] = utc_now

    # -- registration ----------------------------------------------------------------------

    def register(
        self,
        *,
        role: Role,
        full_name: str,
        password: str,
        phone: str | None = None,
        email: str | None = None,
        language: str = "fr",
    ) -> Account:
        """A new account (phone and e-mail already normalised); emits `user.registered`."""
        return open_account(
            self.accounts,
            self.hasher,
            self.clock,
            role=role,
            full_name=full_name,
            password=password,
            phone=phone,
            email=email,
            language=language,
        )

    # -- login and sessions ----------------------------------------------------------------

    def _locked_for(self, checks: list[tuple[LockoutPolicy, str]]) -> int | None:
        """Seconds of the longest lockout among `checks`; None when the limits are unreachable
        (login then goes on without them: being able to sign in matters more)."""
        try:
            return max(self.limits.lock_remaining(policy, subject) for policy, subject in checks)
        except LimitsUnavailable as error:
            logger.error(
                "login limits unavailable; login allowed without them", extra={"reason": str(error)}
            )
            return None

    def _record_failures(self, checks: list[tuple[LockoutPolicy, str]]) -> None:
        for policy, subject in checks:
            try:
                seconds = self.limits.record_failure(policy, subject)
            except LimitsUnavailable as error:
                logger.error("could not record a failed login", extra={"reason": str(error)})
                return
            if seconds:
                logger.warning(
                    "login locked out", extra={"limit": policy.name, "lock_seconds": seconds}
                )

    def _forget_failures(self, policy: LockoutPolicy, subject: str) -> None:
        try:
            self.limits.clear_failures(policy, subject, forget_lockouts=True)
        except LimitsUnavailable as error:
            logger.error("could not clear failed logins", extra={"reason": str(error)})

    def login(self, *, kind: LoginKind, login: str, password: str, address: str) -> TokenGrant:
        account = self.accounts.find_by_login(kind, login)
        # An unknown login is limited exactly like an account, so limits reveal nothing either.
        subject = account.user_id if account else f"{kind}:{login}"
        checks = [
            (self.policy.address_lockout, address),
            (self.policy.account_lockout, subject),
        ]
        locked = self._locked_for(checks)
        if locked:
            raise TooManyAttempts("login", locked)
        if account is None:
            self.hasher.verify_decoy(password)
            verified = False
        else:
            verified = self.hasher.verify(account.password_hash, password)
        if not verified:
            if locked is not None:
                self._record_failures(checks)
            logger.info("login failed", extra={"user_id": account.user_id if account else None})
            raise InvalidCredentials()
        assert account is not None
        if not account.active:
            raise AccountDisabled()
        if locked is not None:
            self._forget_failures(self.policy.account_lockout, subject)
        if self.hasher.needs_rehash(account.password_hash):
            self.accounts.rehash(account, self.hasher.hash(password))
        return self._grant(account, self._start_session(account.user_id))

    def _grant(self, account: Account, session: IssuedSession) -> TokenGrant:
        now = self.clock()
        lifetime = self.policy.access_token_lifetime
        token = issue_access_token(
            self.keys.signing_key(),
            issuer=self.policy.issuer,
            audience=self.policy.audience,
            user_id=account.user_id,
            role=account.role,
            session_id=session.family_id,
            now=now,
            lifetime=lifetime,
        )
        return TokenGrant(
            access_token=token,
            expires_in=int(lifetime.total_seconds()),
            refresh_token=session.refresh_token,
            # Every refresh token, first or rotated, lives the full lifetime from its issue.
            refresh_expires_in=int(self.policy.refresh_token_lifetime.total_seconds()),
            user_id=account.user_id,
            role=account.role,
            session_id=session.family_id,
        )

    def refresh(self, refresh_token: str) -> TokenGrant:
        session = self._rotate(refresh_token)
        account = self.accounts.get(session.user_id)
        if account is None or not account.active:
            self._revoke(session.family_id, "account_inactive")
            raise AccountDisabled()
        return self._grant(account, session)

    def logout(self, refresh_token: str) -> None:
        """End the session `refresh_token` belongs to, used or not."""
        stored = self.sessions.token(token_digest(refresh_token))
        if stored is not None:
            self._revoke(stored.family_id, "logout")

    def logout_all(self, user_id: str) -> int:
        ended = self._end_sessions(user_id, "logout_all")
        logger.info("every session ended", extra={"user_id": user_id, "sessions": ended})
        return ended

    def verify_access_token(self, token: str) -> AccessClaims:
        return read_access_token(
            token,
            self.keys,
            issuer=self.policy.issuer,
            audience=self.policy.audience,
            now=self.clock(),
        )

    def jwks(self) -> dict:
        return self.keys.jwks()

    def rotate_signing_keys(self) -> list[str]:
        """Add a signing key when the active one is 30 days old; drop keys whose tokens
        expired. The kids kept, in signing order."""
        ring = self.keys.rotate()
        kids = [key.kid for key in ring.keys]
        logger.info("signing keys checked", extra={"kids": kids})
        return kids

    # -- sessions --------------------------------------------------------------------------

    def _start_session(self, user_id: str) -> IssuedSession:
        now = self.clock()
        session = IssuedSession(
            family_id=new_id(),
            user_id=user_id,
            refresh_token=new_refresh_token(),
            refresh_expires_at=now + self.policy.refresh_token_lifetime,
        )
        self.sessions.open(session, token_digest(session.refresh_token), now)
        return session

    def _rotate(self, token: str) -> IssuedSession:
        """The next token of `token`'s family; `token` stops working."""
        now = self.clock()
        stored = self.sessions.token(token_digest(token))
        if stored is None or not stored.usable(now):
            raise InvalidRefreshToken()
        if stored.used:
            self._reuse_detected(stored)
        if not self.sessions.is_live(stored.family_id):
            raise InvalidRefreshToken()
        following = new_refresh_token()
        expires_at = now + self.policy.refresh_token_lifetime
        rotation = self.sessions.rotate(stored, token_digest(following), now, expires_at)
        if rotation is Rotation.ALREADY_USED:
            # Used by a concurrent request between our read and our write: the same reuse.
            self._reuse_detected(stored)
        if rotation is not Rotation.ROTATED:
            raise InvalidRefreshToken()
        return IssuedSession(stored.family_id, stored.user_id, following, expires_at)

    def _reuse_detected(self, stored: StoredToken) -> None:
        self._revoke(stored.family_id, "refresh_token_reused")
        logger.warning(
            "refresh token reused: session revoked",
            extra={"user_id": stored.user_id, "family_id": stored.family_id},
        )
        raise RefreshTokenReused()

    def _revoke(self, family_id: str, reason: str) -> bool:
        return self.sessions.revoke(family_id, reason, self.clock())

    def _session_live(self, family_id: str | None) -> bool:
        return bool(family_id) and self.sessions.is_live(family_id)

    def _end_sessions(self, user_id: str, reason: str, *, keep: str | None = None) -> int:
        """Revoke every live family of the user but `keep`; how many were revoked."""
        return sum(
            self._revoke(family_id, reason)
            for family_id in self.sessions.live_families(user_id)
            if family_id != keep
        )

    # -- one-time codes --------------------------------------------------------------------

    def send_otp(self, *, phone: str, purpose: Purpose, address: str) -> OtpSent:
        """Send a code to `phone` when an account can use it; the answer is the same when none
        can (it must not tell who has an account)."""
        policy = self.policy.otp
        cooldown = int(policy.resend_cooldown.total_seconds())
        sent = OtpSent(expires_in=int(policy.lifetime.total_seconds()), resend_after=cooldown)
        # Unlimited sending costs money and floods phones: without Redis, nothing is sent.
        wait = self.limits.hit(
            Window("otp-address", policy.sends_per_address_per_hour, HOUR), address
        )
        if wait:
            raise TooManyAttempts("otp_send", wait)
        wait = self.limits.start_cooldown(f"otp-{purpose}", phone, cooldown)
        if wait:
            raise TooManyAttempts("otp_cooldown", wait)
        wait = self.limits.hit(Window("otp-phone", policy.sends_per_phone_per_hour, HOUR), phone)
        if wait:
            raise TooManyAttempts("otp_send", wait)

        account = self.accounts.find_by_login("phone", phone)
        if account is None or not account.active:
            logger.info("code not sent: no account for this phone", extra={"purpose": purpose})
            return sent
        if purpose == "verify_phone" and account.phone_verified:
            logger.info("code not sent: phone already verified", extra={"user_id": account.user_id})
            return sent
        challenge, code = Challenge.issue(
            phone=phone,
            purpose=purpose,
            user_id=account.user_id,
            now=self.clock(),
            policy=policy,
        )
        event = new_event(
            "auth.otp_requested",
            {
                "user_id": account.user_id,
                "phone": phone,
                "purpose": purpose,
                "code": code,
                "expires_at": challenge.expires_at,
                "language": account.language,
            },
        )
        self.challenges.replace(challenge, event)
        logger.info("code sent", extra={"user_id": account.user_id, "purpose": purpose})
        return sent

    def _retry_after(self, challenge: Challenge, now: datetime) -> int:
        ready = challenge.sent_at + self.policy.otp.resend_cooldown
        return max(1, int((ready - now).total_seconds()))

    def _checked_code(self, phone: str, purpose: Purpose, code: str) -> Challenge:
        """The challenge `code` answers, after counting the attempt; the matching OTP error
        otherwise."""
        policy = self.policy.otp
        failures = Window("otp-failures", policy.failures_per_phone_per_hour, HOUR)
        try:
            wait = self.limits.peek(failures, phone)
        except LimitsUnavailable as error:
            # Each code still admits only `max_attempts` (counted in DynamoDB).
            logger.error("OTP limits unavailable", extra={"reason": str(error)})
            wait = 0
        if wait:
            raise TooManyAttempts("otp_verify", wait)
        now = self.clock()
        challenge = self.challenges.get(phone, purpose)
        if challenge is None:
            raise OtpExpired()
        refusal = challenge.refusal(now, policy)
        if refusal is Verdict.EXPIRED:
            raise OtpExpired()
        if refusal is Verdict.EXHAUSTED or not self.challenges.record_attempt(
            challenge, policy.max_attempts
        ):
            raise OtpExhausted(self._retry_after(challenge, now))
        attempted = challenge.attempted()
        if not challenge.matches(code):
            # Without Redis the per-code limit (in DynamoDB) still holds.
            with contextlib.suppress(LimitsUnavailable):
                self.limits.hit(failures, phone)
            raise OtpInvalid(attempted.attempts_left(policy))
        return attempted

    def verify_phone(self, *, phone: str, code: str) -> str:
        """Mark the phone of the account it belongs to verified; returns the user id."""
        challenge = self._checked_code(phone, "verify_phone", code)
        account = self.accounts.get(challenge.user_id)
        if account is None or account.phone != phone:
            raise OtpExpired()
        verifying = not account.phone_verified
        change = AccountChange(
            account,
            consumes=challenge,
            verify_phone=verifying,
            events=(_phone_verified(account.user_id, phone),) if verifying else (),
        )
        if not self.accounts.commit(change):
            # The same code was used by a concurrent request, or the number changed hands.
            raise OtpExpired()
        logger.info("phone verified", extra={"user_id": account.user_id})
        return account.user_id

    # -- passwords -------------------------------------------------------------------------

    def _password_changed(self, account: Account, how: str, new_password: str) -> Event:
        return new_event(
            "auth.password_changed",
            {
                "user_id": account.user_id,
                "how": how,
                "phone": account.phone,
                "email": account.email,
                "language": account.language,
            },
        )

    def reset_password(self, *, phone: str, code: str, new_password: str) -> None:
        """Set a new password with a `reset_password` code sent to the account's phone; every
        session ends. The code proves the phone, so an unverified phone becomes verified."""
        holder = self.accounts.find_by_login("phone", phone)
        issues = password_issues(
            new_password,
            phone=phone,
            email=holder.email if holder else None,
            full_name=holder.full_name if holder else None,
        )
        if issues:
            # Checked first, so a weak choice does not spend an attempt on the code.
            raise WeakPassword(issues, field="new_password")
        challenge = self._checked_code(phone, "reset_password", code)
        account = self.accounts.get(challenge.user_id)
        if account is None or account.phone != phone:
            raise OtpExpired()
        verifying = not account.phone_verified
        events = [self._password_changed(account, "reset", new_password)]
        if verifying:
            events.append(_phone_verified(account.user_id, phone))
        change = AccountChange(
            account,
            consumes=challenge,
            password_hash=self.hasher.hash(new_password),
            changed_at=self.clock(),
            verify_phone=verifying,
            events=tuple(events),
        )
        if not self.accounts.commit(change):
            raise OtpExpired()
        ended = self._end_sessions(account.user_id, "password_reset")
        # The owner proved the phone: forget the lockouts a guesser may have caused.
        self._forget_failures(self.policy.account_lockout, account.user_id)
        logger.info("password reset", extra={"user_id": account.user_id, "sessions": ended})

    def change_password(
        self, *, user_id: str, session_id: str | None, current_password: str, new_password: str
    ) -> int:
        """Change the password of a signed-in user; every other session ends. Returns how many
        sessions ended."""
        account = self.accounts.get(user_id)
        if account is None or not account.active or not self._session_live(session_id):
            raise InvalidCredentials()
        checks = [(self.policy.account_lockout, user_id)]
        locked = self._locked_for(checks)
        if locked:
            raise TooManyAttempts("login", locked)
        if not self.hasher.verify(account.password_hash, current_password):
            if locked is not None:
                self._record_failures(checks)
            raise WrongCurrentPassword()
        if new_password == current_password:
            raise SameAsCurrentPassword()
        issues = password_issues(
            new_password, phone=account.phone, email=account.email, full_name=account.full_name
        )
        if issues:
            raise WeakPassword(issues, field="new_password")
        change = AccountChange(
            account,
            password_hash=self.hasher.hash(new_password),
            changed_at=self.clock(),
            events=(self._password_changed(account, "changed", new_password),),
        )
        if not self.accounts.commit(change):
            # Changed by a concurrent request: the current password given is no longer current.
            raise WrongCurrentPassword()
        ended = self._end_sessions(user_id, "password_changed", keep=session_id)
        logger.info("password changed", extra={"user_id": user_id, "sessions": ended})
        return ended


def open_account(
    accounts: Accounts,
    hasher: PasswordHasher,
    clock: Callable[[], datetime],
    *,
    role: Role,
    full_name: str,
    password: str,
    phone: str | None = None,
    email: str | None = None,
    language: str = "fr",
) -> Account:
    """Store a new account and emit `user.registered`. The API opens patient and doctor
    accounts; only the operators' command (`chalicelib.admin`) opens administrator ones."""
    issues = password_issues(password, phone=phone, email=email, full_name=full_name)
    if issues:
        raise WeakPassword(issues)
    now = clock()
    account = Account(
        user_id=new_id(),
        role=role,
        full_name=full_name,
        phone=phone,
        email=email,
        language=language,
        password_hash=hasher.hash(password),
        phone_verified=False,
        status=ACTIVE,
        created_at=now,
        password_changed_at=now,
    )
    event = new_event(
        "user.registered",
        {
            "user_id": account.user_id,
            "role": role,
            "full_name": full_name,
            "phone": phone,
            "email": email,
            "language": language,
        },
    )
    accounts.register(account, event)
    logger.info("account registered", extra={"user_id": account.user_id, "role": role})
    return account


def _phone_verified(user_id: str, phone: str) -> Event:
    return new_event("user.phone_verified", {"user_id": user_id, "phone": phone})
