"""The keys that sign access tokens (ES256): their life from creation to retirement.

The key ring lives in one Secrets Manager secret (`chalicelib.key_store`; JSON `{"keys": [...]}`
with each key's `kid`, `created_at`, `activates_at` and private PEM); the private keys never
leave the auth service, only the public halves are published (JWKS).

A key's life:
- created by a rotation, *pending* for `activation_delay`: already in the JWKS but not signing,
  so every verifier's cached JWKS (5 minutes in the layer, 5 minutes here) knows it before the
  first token it signs arrives;
- *active* (the newest key whose activation time has come signs every token);
- *retired* once its successor has signed for longer than an access token lives (+ margin):
  no valid token can carry it any more, so it leaves the JWKS and the secret.
The first key, created when the secret holds none, signs at once: nobody has cached a JWKS yet.

Writers race safely: a store refuses a write prepared from a version that is no longer current,
and the writer re-reads the winner's keys instead of overwriting them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol

ALGORITHM = "ES256"


@dataclass(frozen=True)
class KeyPolicy:
    # Longer than any JWKS cache (verifiers: 5 min; this service's own ring cache: 5 min).
    activation_delay: timedelta = timedelta(minutes=10)
    # Set from the access-token lifetime: 15 min + verifiers' leeway and clock skew.
    retire_after: timedelta = timedelta(minutes=20)
    max_age: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created_at: datetime
    activates_at: datetime
    private_pem: str = field(repr=False)

    @classmethod
    def generate(cls, *, now: datetime, activates_at: datetime | None = None) -> SigningKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        return cls(kid=kid, created_at=now, activates_at=activates_at or now, private_pem=pem)

    @cached_property
    def private_key(self) -> Any:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        return load_pem_private_key(self.private_pem.encode(), password=None)

    @cached_property
    def public_key(self) -> Any:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import ECAlgorithm

        jwk = ECAlgorithm.to_jwk(self.public_key, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def to_dict(self) -> dict[str, str]:
        return {
            "kid": self.kid,
            "created_at": self.created_at.isoformat(),
            "activates_at": self.activates_at.isoformat(),
            "private_key": self.private_pem,
        }

    @classmethod
    def from_dict(cls, item: dict[str, str]) -> SigningKey:
        return cls(
            kid=item["kid"],
            created_at=datetime.fromisoformat(item["created_at"]),
            activates_at=datetime.fromisoformat(item["activates_at"]),
            private_pem=item["private_key"],
        )


class NoSigningKey(RuntimeError):
    """The ring has no key whose activation time has come."""


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SigningKey, ...] = ()

    def __post_init__(self) -> None:
        # Signing order; a stable sort keeps a later-added key after an earlier one on ties.
        ordered = sorted(self.keys, key=lambda k: (k.activates_at, k.created_at))
        object.__setattr__(self, "keys", tuple(ordered))

    @classmethod
    def from_json(cls, text: str | None) -> KeyRing:
        """The ring in a secret's value; empty when it holds none (the template's placeholder
        value, or nothing yet)."""
        try:
            document = json.loads(text or "")
        except ValueError:
            return cls()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            return cls()
        return cls(tuple(SigningKey.from_dict(item) for item in document["keys"]))

    def to_json(self) -> str:
        return json.dumps({"keys": [key.to_dict() for key in self.keys]})

    def __bool__(self) -> bool:
        return bool(self.keys)

    def find(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def active(self, now: datetime) -> SigningKey:
        """The key that signs now: the newest whose activation time has come."""
        live = [key for key in self.keys if key.activates_at <= now]
        if not live:
            raise NoSigningKey("no signing key is active yet")
        return live[-1]

    def published(self, now: datetime, policy: KeyPolicy) -> tuple[SigningKey, ...]:
        """Keys whose signatures verifiers must accept: pending, active, and recently replaced
        (a key is retired once a successor has signed for `retire_after`)."""
        retired_before = now - policy.retire_after
        return tuple(
            key
            for position, key in enumerate(self.keys)
            if not any(later.activates_at <= retired_before for later in self.keys[position + 1 :])
        )

    def pruned(self, now: datetime, policy: KeyPolicy) -> KeyRing:
        return replace(self, keys=self.published(now, policy))

    def needs_rotation(self, now: datetime, policy: KeyPolicy) -> bool:
        if not self.keys:
            return True
        pending = any(key.activates_at > now for key in self.keys)
        return not pending and self.active(now).activates_at <= now - policy.max_age

    def rotated(self, now: datetime, policy: KeyPolicy, *, immediately: bool = False) -> KeyRing:
        """The ring with a new key, pending for `activation_delay` unless `immediately` (the
        first key of an empty ring is always immediate)."""
        delay = timedelta(0) if immediately or not self.keys else policy.activation_delay
        new_key = SigningKey.generate(now=now, activates_at=now + delay)
        return replace(self, keys=(*self.keys, new_key))

    def jwks(self, now: datetime, policy: KeyPolicy) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.published(now, policy)]}


class KeyStore(Protocol):
    def load(self) -> tuple[KeyRing, str | None]:
        """The stored ring and the version it was read at."""
        ...

    def save(self, ring: KeyRing, read_version: str | None) -> bool:
        """Store `ring` if nobody wrote since `read_version` was read; False if somebody did."""
        ...


class SigningKeys:
    """The ring as this process sees it: cached, created on first use, rotated on demand."""

    def __init__(
        self,
        store: KeyStore,
        clock: Callable[[], datetime],
        policy: KeyPolicy,
        cache_for: timedelta = timedelta(minutes=5),
        reload_unknown_kid_after: timedelta = timedelta(seconds=30),
    ) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy
        self._cache_for = cache_for
        self._reload_unknown_after = reload_unknown_kid_after
        self._ring: KeyRing | None = None
        self._loaded_at: datetime | None = None

    def _load(self) -> KeyRing:
        def first_key_if_empty(current: KeyRing) -> KeyRing:
            return current or current.rotated(self._clock(), self.policy)

        ring, version = self._store.load()
        if not ring:
            ring = self._write(first_key_if_empty, ring, version)
        self._ring, self._loaded_at = ring, self._clock()
        return ring

    def _write(self, change: Any, ring: KeyRing, version: str | None) -> KeyRing:
        """Apply `change` to the stored ring; on a lost race, re-read and apply it to the
        winner's ring (a few times at most)."""
        for _ in range(5):
            changed = change(ring)
            if changed == ring or self._store.save(changed, version):
                return changed
            ring, version = self._store.load()
        raise RuntimeError("the signing-key secret keeps changing under us")

    def ring(self) -> KeyRing:
        now = self._clock()
        stale = self._loaded_at is None or now - self._loaded_at >= self._cache_for
        if self._ring is None or stale:
            return self._load()
        return self._ring

    def signing_key(self) -> SigningKey:
        return self.ring().active(self._clock())

    def key_for(self, kid: str) -> SigningKey | None:
        """The published key named `kid`; re-reads the store once (at most every 30 s) when it
        is unknown, in case another instance has just rotated."""
        now = self._clock()
        key = self.ring().find(kid)
        if key is None and self._loaded_at and now - self._loaded_at >= self._reload_unknown_after:
            key = self._load().find(kid)
        if key is None or key not in self.ring().published(now, self.policy):
            return None
        return key

    def jwks(self) -> dict[str, Any]:
        return self.ring().jwks(self._clock(), self.policy)

    def rotate(self, *, force: bool = False, immediately: bool = False) -> KeyRing:
        """Add a key when the active one is older than `max_age` (or when `force`d), and drop
        retired keys; the scheduled rotation and the operator's command both call this."""
        now = self._clock()

        def change(ring: KeyRing) -> KeyRing:
            if force or ring.needs_rotation(now, self.policy):
                ring = ring.rotated(now, self.policy, immediately=immediately)
            return ring.pruned(now, self.policy)

        ring, version = self._store.load()
        ring = self._write(change, ring, version)
        self._ring, self._loaded_at = ring, now
        return ring
