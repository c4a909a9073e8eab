"""Rate limits and login lockouts: what is counted, how much is allowed, how long a lock lasts.

- Sliding windows: at most N events per subject in the last T seconds (OTP sends per phone and
  per address per hour, wrong OTP codes per phone per hour).
- Lockouts: N failed logins of one subject within a window lock it for a delay that doubles with
  each lockout remembered for a day (1, 2, 4 ... minutes, capped), so a patient who mistypes
  waits a minute and a guesser waits hours.
- Cooldowns: one event per subject per T seconds (resending a code).

`chalicelib.limits_store` counts them in Redis.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    name: str
    max_hits: int
    seconds: int


@dataclass(frozen=True)
class LockoutPolicy:
    name: str
    max_failures: int
    window_seconds: int
    base_lock_seconds: int
    max_lock_seconds: int
    # How long past lockouts count towards the next one's length.
    remember_seconds: int = 24 * 3600

    def lock_seconds(self, lockouts_so_far: int) -> int:
        """Length of the next lockout: the base, doubled for each earlier one, capped."""
        return min(self.max_lock_seconds, self.base_lock_seconds * 2 ** min(lockouts_so_far, 30))
