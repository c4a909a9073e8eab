"""Stand-ins the auth tests own: a clock they move and a key store they can make race."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.signing_keys import KeyRing


class FakeClock:
    """A clock the test moves: `clock.advance(minutes=5)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC).replace(microsecond=0)

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

    def load(self):
        if self._stale_reads:
            self._stale_reads -= 1
            return KeyRing.from_json(self._initial[0]), self._initial[1]
        return KeyRing.from_json(self.value), str(self.version)

    def save(self, ring, read_version):
        if read_version != str(self.version):
            return False
        self.value, self.version, self.writes = ring.to_json(), self.version + 1, self.writes + 1
        return True
