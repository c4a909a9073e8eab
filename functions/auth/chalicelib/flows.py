"""What each auth request does, from checked input to stored result and events.

`Auth` holds the service's parts (stores, limits, keys, hasher, clock), wired once per process
by `chalicelib.bootstrap`; `app.py` parses a request, calls one method, shapes the answer. Every
failure is a `chalicelib.errors` exception.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from chalicelib.access_tokens import AccessClaims, issue_access_token, read_access_token
from chalicelib.accounts import ACTIVE, Account, Accounts, LoginKind, Role
from chalicelib.challenges import Challenges
from chalicelib.clock import Clock
from chalicelib.errors import (
    AccountDisabled,
    InvalidCredentials,
    LimitsUnavailable,
    OtpExhausted,
    OtpExpired,
    OtpInvalid,
    SameAsCurrentPassword,
    TooManyAttempts,
    WeakPassword,
    WrongCurrentPassword,
)
from chalicelib.otp import Challenge, Purpose, Verdict
from chalicelib.passwords import PasswordHasher, password_issues
from chalicelib.policy import AuthPolicy
from chalicelib.rate_limits import LockoutPolicy, RateLimits, Window
from chalicelib.sessions import IssuedSession, Sessions
from chalicelib.signing_keys import SigningKeys
from keneya.correlation import new_id
from keneya.events import new_event
from keneya.logs import logger
from keneya.outbox import OutboxTransaction

HOUR = 3600


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
    clock: Clock
    hasher: PasswordHasher
    accounts: Accounts
    sessions: Sessions
    challenges: Challenges
    keys: SigningKeys
    limits: RateLimits

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
        return self._grant(account, self.sessions.start(account.user_id))

    def _grant(self, account: Account, session: IssuedSession) -> TokenGrant:
        now = self.clock.now()
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
        session = self.sessions.rotate(refresh_token)
        account = self.accounts.get(session.user_id)
        if account is None or not account.active:
            self.sessions.revoke(session.family_id, "account_inactive")
            raise AccountDisabled()
        return self._grant(account, session)

    def logout(self, refresh_token: str) -> None:
        self.sessions.end(refresh_token)

    def logout_all(self, user_id: str) -> int:
        ended = self.sessions.end_all(user_id, "logout_all")
        logger.info("every session ended", extra={"user_id": user_id, "sessions": ended})
        return ended

    def verify_access_token(self, token: str) -> AccessClaims:
        return read_access_token(
            token,
            self.keys,
            issuer=self.policy.issuer,
            audience=self.policy.audience,
            now=self.clock.now(),
        )

    def jwks(self) -> dict:
        return self.keys.jwks()

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
            now=self.clock.now(),
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
        now = self.clock.now()
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
        from pynamodb.exceptions import TransactWriteError

        challenge = self._checked_code(phone, "verify_phone", code)
        account = self.accounts.get(challenge.user_id)
        if account is None or account.phone != phone:
            raise OtpExpired()
        try:
            with OutboxTransaction() as tx:
                self.challenges.consume_in(tx, challenge)
                if not account.phone_verified:
                    self.accounts.verify_phone_in(tx, account)
                    tx.emit(
                        new_event(
                            "user.phone_verified", {"user_id": account.user_id, "phone": phone}
                        )
                    )
        except TransactWriteError:
            # The same code was used by a concurrent request, or the number changed hands.
            raise OtpExpired() from None
        logger.info("phone verified", extra={"user_id": account.user_id})
        return account.user_id

    # -- passwords -------------------------------------------------------------------------

    def _password_changed(
        self, tx: OutboxTransaction, account: Account, how: str, new_password: str
    ) -> None:
        self.accounts.set_password_in(
            tx,
            account,
            self.hasher.hash(new_password),
            self.clock.now(),
            verify_phone=how == "reset" and not account.phone_verified,
        )
        tx.emit(
            new_event(
                "auth.password_changed",
                {
                    "user_id": account.user_id,
                    "how": how,
                    "phone": account.phone,
                    "email": account.email,
                    "language": account.language,
                },
            )
        )

    def reset_password(self, *, phone: str, code: str, new_password: str) -> None:
        """Set a new password with a `reset_password` code sent to the account's phone; every
        session ends. The code proves the phone, so an unverified phone becomes verified."""
        from pynamodb.exceptions import TransactWriteError

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
        try:
            with OutboxTransaction() as tx:
                self.challenges.consume_in(tx, challenge)
                self._password_changed(tx, account, "reset", new_password)
                if not account.phone_verified:
                    tx.emit(
                        new_event(
                            "user.phone_verified", {"user_id": account.user_id, "phone": phone}
                        )
                    )
        except TransactWriteError:
            raise OtpExpired() from None
        ended = self.sessions.end_all(account.user_id, "password_reset")
        # The owner proved the phone: forget the lockouts a guesser may have caused.
        self._forget_failures(self.policy.account_lockout, account.user_id)
        logger.info("password reset", extra={"user_id": account.user_id, "sessions": ended})

    def change_password(
        self, *, user_id: str, session_id: str | None, current_password: str, new_password: str
    ) -> int:
        """Change the password of a signed-in user; every other session ends. Returns how many
        sessions ended."""
        from pynamodb.exceptions import TransactWriteError

        account = self.accounts.get(user_id)
        if account is None or not account.active or not self.sessions.is_active(session_id):
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
        try:
            with OutboxTransaction() as tx:
                self._password_changed(tx, account, "changed", new_password)
        except TransactWriteError:
            # Changed by a concurrent request: the current password given is no longer current.
            raise WrongCurrentPassword() from None
        ended = self.sessions.end_all(user_id, "password_changed", keep=session_id)
        logger.info("password changed", extra={"user_id": user_id, "sessions": ended})
        return ended


def open_account(
    accounts: Accounts,
    hasher: PasswordHasher,
    clock: Clock,
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
    now = clock.now()
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
