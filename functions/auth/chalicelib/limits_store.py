"""Rate limits and login lockouts, counted in Redis (the rules are in `chalicelib.rate_limits`).

Times come from the injected clock (tests move it); Redis expiries only clean up. Subjects
(phones, e-mails, addresses) are hashed into the keys: Redis holds no personal data. Every
Redis failure surfaces as `LimitsUnavailable`, and the caller decides: login goes on without
limits (and says so in the logs), sending a code is refused.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.errors import LimitsUnavailable
from chalicelib.rate_limits import LockoutPolicy, Window


def _subject_key(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


class RateLimits:
    """The limits of `chalicelib.service.Limits`, kept in Redis under `prefix`."""

    def __init__(self, redis: Any, clock: Callable[[], datetime], prefix: str = "auth") -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix

    def _key(self, kind: str, name: str, subject: str) -> str:
        return f"{self._prefix}:{kind}:{name}:{_subject_key(subject)}"

    def _now(self) -> float:
        return self._clock().timestamp()

    def _run(self, operation: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return operation()
        except RedisError as error:
            raise LimitsUnavailable(f"redis: {type(error).__name__}") from None

    # -- sliding windows -------------------------------------------------------------------

    def hit(self, window: Window, subject: str) -> int:
        """Count one event for `subject`; 0 when within the limit, else the seconds until the
        oldest counted event leaves the window (the refused event is not counted)."""
        key, now = self._key("window", window.name, subject), self._now()
        member = f"{now:.6f}:{secrets.token_hex(4)}"

        def count() -> list[Any]:
            pipe = self._redis.pipeline(transaction=True)
            pipe.zremrangebyscore(key, "-inf", now - window.seconds)
            pipe.zadd(key, {member: now})
            pipe.zcard(key)
            pipe.zrange(key, 0, 0, withscores=True)
            pipe.expire(key, window.seconds + 1)
            return pipe.execute()

        _, _, hits, oldest, _ = self._run(count)
        if hits <= window.max_hits:
            return 0
        self._run(lambda: self._redis.zrem(key, member))
        oldest_at = oldest[0][1] if oldest else now
        return max(1, math.ceil(oldest_at + window.seconds - now))

    def peek(self, window: Window, subject: str) -> int:
        """Like `hit` without counting: 0 when one more event would be within the limit."""
        key, now = self._key("window", window.name, subject), self._now()

        def count() -> list[Any]:
            pipe = self._redis.pipeline(transaction=True)
            pipe.zremrangebyscore(key, "-inf", now - window.seconds)
            pipe.zcard(key)
            pipe.zrange(key, 0, 0, withscores=True)
            return pipe.execute()

        _, hits, oldest = self._run(count)
        if hits < window.max_hits:
            return 0
        oldest_at = oldest[0][1] if oldest else now
        return max(1, math.ceil(oldest_at + window.seconds - now))

    # -- lockouts --------------------------------------------------------------------------

    def lock_remaining(self, policy: LockoutPolicy, subject: str) -> int:
        """Seconds `subject` stays locked out (0: not locked)."""
        until = self._run(lambda: self._redis.get(self._key("lock", policy.name, subject)))
        if until is None:
            return 0
        remaining = float(until) - self._now()
        return math.ceil(remaining) if remaining > 0 else 0

    def record_failure(self, policy: LockoutPolicy, subject: str) -> int:
        """Count a failed login; returns the length of the lockout it started (0: none)."""
        failures = self._key("failures", policy.name, subject)
        lockouts = self._key("lockouts", policy.name, subject)
        lock = self._key("lock", policy.name, subject)
        now = self._now()

        def count() -> list[Any]:
            pipe = self._redis.pipeline(transaction=True)
            pipe.zremrangebyscore(failures, "-inf", now - policy.window_seconds)
            pipe.zadd(failures, {f"{now:.6f}:{secrets.token_hex(4)}": now})
            pipe.zcard(failures)
            pipe.expire(failures, policy.window_seconds + 1)
            pipe.get(lockouts)
            return pipe.execute()

        _, _, count_now, _, earlier_lockouts = self._run(count)
        if count_now < policy.max_failures:
            return 0
        seconds = policy.lock_seconds(int(earlier_lockouts or 0))

        def lock_out() -> None:
            pipe = self._redis.pipeline(transaction=True)
            pipe.delete(failures)
            pipe.incr(lockouts)
            pipe.expire(lockouts, policy.remember_seconds)
            pipe.set(lock, f"{now + seconds:.3f}", ex=seconds + 1)
            pipe.execute()

        self._run(lock_out)
        return seconds

    def clear_failures(self, policy: LockoutPolicy, subject: str, *, forget_lockouts: bool) -> None:
        kinds = ("failures", "lockouts", "lock") if forget_lockouts else ("failures",)
        keys = [self._key(kind, policy.name, subject) for kind in kinds]
        self._run(lambda: self._redis.delete(*keys))

    # -- cooldowns -------------------------------------------------------------------------

    def start_cooldown(self, name: str, subject: str, seconds: int) -> int:
        """Start a cooldown of `seconds` for `subject`; 0 when started, else the seconds left
        of the one already running."""
        key, now = self._key("cooldown", name, subject), self._now()
        until = f"{now + seconds:.3f}"
        if self._run(lambda: self._redis.set(key, until, ex=seconds + 1, nx=True)):
            return 0
        previous = self._run(lambda: self._redis.get(key))
        if previous is not None and float(previous) > now:
            return max(1, math.ceil(float(previous) - now))
        # Over by our clock though Redis has not dropped the key yet.
        self._run(lambda: self._redis.set(key, until, ex=seconds + 1))
        return 0
