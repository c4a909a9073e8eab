"""Stand-ins the auth tests own: a clock they move, a key store they can make race, and the
ports of `chalicelib.service` in memory (accounts, codes, sessions, limits, the outbox)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.accounts import Account, AccountChange, LoginKind
from chalicelib.errors import DuplicateLogin, LimitsUnavailable
from chalicelib.otp import Challenge, Purpose
from chalicelib.rate_limits import LockoutPolicy, Window
from chalicelib.sessions import IssuedSession, Rotation, StoredToken
from chalicelib.signing_keys import KeyRing
from keneya.events import Event


class FakeClock:
    """A clock the test moves: `clock.advance(minutes=5)`. Called, it is the time now, as the
    service's parts take their clock (`keneya.clock.utc_now` outside tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.current

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeKeyStore:
    """Secrets Manager's behaviour that matters: versions, and a write refused when it was
    prepared from a version that is no longer current."""

    def __init__(self, value: str | None = None, stale_reads: int = 0) -> None:
        self.value = value
        self.version = 0
        self.writes = 0
        # The next `stale_reads` loads see the secret as it is now, whatever is written since.
        self._initial, self._stale_reads = (value, "0"), stale_reads

    def load(self) -> tuple[KeyRing, str | None]:
        if self._stale_reads:
            self._stale_reads -= 1
            return KeyRing.from_json(self._initial[0]), self._initial[1]
        return KeyRing.from_json(self.value), str(self.version)

    def save(self, ring: KeyRing, read_version: str | None) -> bool:
        if read_version != str(self.version):
            return False
        self.value, self.version, self.writes = ring.to_json(), self.version + 1, self.writes + 1
        return True


# -- the ports of chalicelib.service, in memory ----------------------------------------------


class Outbox:
    """The events the service committed with its changes, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def of(self, event_type: str) -> list[dict[str, Any]]:
        return [event.data for event in self.events if event.type == event_type]


class FakeChallenges:
    def __init__(self, outbox: Outbox) -> None:
        self.stored: dict[tuple[str, str], Challenge] = {}
        self._outbox = outbox

    def get(self, phone: str, purpose: Purpose) -> Challenge | None:
        return self.stored.get((phone, purpose))

    def replace(self, challenge: Challenge, event: Event) -> None:
        self.stored[(challenge.phone, challenge.purpose)] = challenge
        self._outbox.events.append(event)

    def record_attempt(self, challenge: Challenge, max_attempts: int) -> bool:
        current = self.stored.get((challenge.phone, challenge.purpose))
        if current is None or current.challenge_id != challenge.challenge_id:
            return False
        if current.attempts >= max_attempts:
            return False
        self.stored[(challenge.phone, challenge.purpose)] = current.attempted()
        return True


class FakeAccounts:
    """Accounts and their login claims; a change also uses up its code in `challenges`, all or
    nothing, as the table's transaction does."""

    def __init__(self, challenges: FakeChallenges, outbox: Outbox) -> None:
        self.stored: dict[str, Account] = {}
        self.claims: dict[tuple[str, str], str] = {}
        self._challenges = challenges
        self._outbox = outbox
        # Set by a test: the next commit loses a race with another request.
        self.lose_next_commit = False

    def register(self, account: Account, event: Event) -> None:
        claims = [
            (kind, value)
            for kind, value in (("phone", account.phone), ("email", account.email))
            if value
        ]
        taken = [kind for kind, value in claims if (kind, value) in self.claims]
        if taken:
            raise DuplicateLogin(taken)
        self.stored[account.user_id] = account
        self.claims.update({claim: account.user_id for claim in claims})
        self._outbox.events.append(event)

    def get(self, user_id: str) -> Account | None:
        return self.stored.get(user_id)

    def find_by_login(self, kind: LoginKind, value: str) -> Account | None:
        user_id = self.claims.get((kind, value))
        return self.stored.get(user_id) if user_id else None

    def commit(self, change: AccountChange) -> bool:
        current = self.stored.get(change.account.user_id)
        code = change.consumes
        key = (code.phone, code.purpose) if code else None
        if self.lose_next_commit:
            self.lose_next_commit = False
            return False
        if code and getattr(self._challenges.stored.get(key), "challenge_id", None) != (
            code.challenge_id
        ):
            return False
        if current is None:
            return False
        if change.password_hash is not None:
            if current.password_hash != change.account.password_hash:
                return False
            current = replace(
                current,
                password_hash=change.password_hash,
                password_changed_at=change.changed_at,
                phone_verified=current.phone_verified or change.verify_phone,
            )
        elif change.verify_phone:
            if current.phone != change.account.phone:
                return False
            current = replace(current, phone_verified=True)
        if key:
            del self._challenges.stored[key]
        self.stored[current.user_id] = current
        self._outbox.events.extend(change.events)
        return True

    def rehash(self, account: Account, password_hash: str) -> None:
        current = self.stored.get(account.user_id)
        if current is not None and current.password_hash == account.password_hash:
            self.stored[account.user_id] = replace(current, password_hash=password_hash)

    def disable(self, user_id: str) -> None:
        self.stored[user_id] = replace(self.stored[user_id], status="disabled")


@dataclass
class FakeFamily:
    user_id: str
    created_at: datetime
    revoked_reason: str | None = None


class FakeSessions:
    def __init__(self) -> None:
        self.families: dict[str, FakeFamily] = {}
        self.tokens: dict[str, StoredToken] = {}
        # Set by a test: another request uses the token between the service's read and write.
        self.used_meanwhile = False

    def open(self, session: IssuedSession, digest: str, now: datetime) -> None:
        self.families[session.family_id] = FakeFamily(session.user_id, now)
        self.tokens[digest] = StoredToken(
            digest, session.family_id, session.user_id, session.refresh_expires_at, used=False
        )

    def token(self, digest: str) -> StoredToken | None:
        return self.tokens.get(digest)

    def is_live(self, family_id: str) -> bool:
        family = self.families.get(family_id)
        return family is not None and family.revoked_reason is None

    def rotate(
        self, used: StoredToken, following: str, now: datetime, expires_at: datetime
    ) -> Rotation:
        if self.used_meanwhile:
            self.used_meanwhile = False
            self.tokens[used.digest] = replace(used, used=True)
        if self.tokens[used.digest].used:
            return Rotation.ALREADY_USED
        if not self.is_live(used.family_id):
            return Rotation.REFUSED
        self.tokens[used.digest] = replace(used, used=True)
        self.tokens[following] = StoredToken(
            following, used.family_id, used.user_id, expires_at, used=False
        )
        return Rotation.ROTATED

    def revoke(self, family_id: str, reason: str, now: datetime) -> bool:
        if not self.is_live(family_id):
            return False
        self.families[family_id].revoked_reason = reason
        return True

    def live_families(self, user_id: str) -> list[str]:
        return [
            family_id
            for family_id, family in self.families.items()
            if family.user_id == user_id and family.revoked_reason is None
        ]

    def revoked_reason(self, family_id: str) -> str | None:
        return self.families[family_id].revoked_reason


class FakeLimits:
    """The counters of `chalicelib.limits_store` with the same arithmetic, in memory; when
    `unavailable`, every call fails as an unreachable Redis does."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self.unavailable = False
        self._windows: dict[tuple[str, str], list[float]] = {}
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lockouts: dict[tuple[str, str], tuple[int, float]] = {}
        self._locks: dict[tuple[str, str], float] = {}
        self._cooldowns: dict[tuple[str, str], float] = {}

    def _now(self) -> float:
        if self.unavailable:
            raise LimitsUnavailable("redis: ConnectionError")
        return self._clock().timestamp()

    @staticmethod
    def _recent(times: list[float], now: float, seconds: int) -> list[float]:
        return [at for at in times if at > now - seconds]

    def hit(self, window: Window, subject: str) -> int:
        now = self._now()
        counted = self._recent(self._windows.get((window.name, subject), []), now, window.seconds)
        if len(counted) + 1 <= window.max_hits:
            self._windows[(window.name, subject)] = [*counted, now]
            return 0
        self._windows[(window.name, subject)] = counted
        return max(1, math.ceil(counted[0] + window.seconds - now))

    def peek(self, window: Window, subject: str) -> int:
        now = self._now()
        counted = self._recent(self._windows.get((window.name, subject), []), now, window.seconds)
        if len(counted) < window.max_hits:
            return 0
        return max(1, math.ceil(counted[0] + window.seconds - now))

    def lock_remaining(self, policy: LockoutPolicy, subject: str) -> int:
        remaining = self._locks.get((policy.name, subject), 0.0) - self._now()
        return math.ceil(remaining) if remaining > 0 else 0

    def record_failure(self, policy: LockoutPolicy, subject: str) -> int:
        now, key = self._now(), (policy.name, subject)
        failures = [*self._recent(self._failures.get(key, []), now, policy.window_seconds), now]
        if len(failures) < policy.max_failures:
            self._failures[key] = failures
            return 0
        count, last = self._lockouts.get(key, (0, now))
        earlier = count if now - last < policy.remember_seconds else 0
        seconds = policy.lock_seconds(earlier)
        self._failures.pop(key, None)
        self._lockouts[key] = (earlier + 1, now)
        self._locks[key] = now + seconds
        return seconds

    def clear_failures(self, policy: LockoutPolicy, subject: str, *, forget_lockouts: bool) -> None:
        self._now()
        key = (policy.name, subject)
        self._failures.pop(key, None)
        if forget_lockouts:
            self._lockouts.pop(key, None)
            self._locks.pop(key, None)

    def start_cooldown(self, name: str, subject: str, seconds: int) -> int:
        now = self._now()
        until = self._cooldowns.get((name, subject), 0.0)
        if until > now:
            return max(1, math.ceil(until - now))
        self._cooldowns[(name, subject)] = now + seconds
        return 0
