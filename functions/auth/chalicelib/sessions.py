"""Sessions: refresh tokens grouped in families, rotated on every use.

Logging in starts a family and hands out its first refresh token: 32 random bytes, opaque,
stored only as their SHA-256 (a high-entropy secret needs no slow hash). Each refresh marks the
presented token used and issues the next one of the same family, in one transaction conditioned
on the token being unused and the family alive. A token that comes back after it was used means
two parties hold the family's tokens (a thief and the owner): the whole family is revoked, and
both must log in again. Ending a session revokes its family; ending every session revokes every
family of the user (found through gsi1).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from chalicelib.clock import Clock
from chalicelib.errors import InvalidRefreshToken, RefreshTokenReused
from chalicelib.models import FAMILY_SK, TOKEN_SK, Models, account_pk, family_pk, refresh_pk
from keneya.correlation import new_id
from keneya.logs import logger
from keneya.outbox import OutboxTransaction


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    family_id: str
    user_id: str
    refresh_token: str
    refresh_expires_at: datetime


class Sessions:
    def __init__(self, models: Models, clock: Clock, lifetime: timedelta) -> None:
        self._m = models
        self._clock = clock
        self._lifetime = lifetime

    def _token_item(self, token: str, family_id: str, user_id: str, now: datetime) -> Any:
        return self._m.RefreshToken(
            pk=refresh_pk(token_digest(token)),
            sk=TOKEN_SK,
            family_id=family_id,
            user_id=user_id,
            issued_at=now,
            expires_at=now + self._lifetime,
        )

    def start(self, user_id: str) -> IssuedSession:
        now = self._clock.now()
        family_id, token = new_id(), new_refresh_token()
        Family, Token = self._m.Family, self._m.RefreshToken
        family = Family(
            pk=family_pk(family_id),
            sk=FAMILY_SK,
            family_id=family_id,
            user_id=user_id,
            created_at=now,
            last_used_at=now,
            gsi1pk=account_pk(user_id),
            gsi1sk=f"FAMILY#{now.isoformat()}",
            expires_at=now + self._lifetime,
        )
        # Two writes, no transaction (which would cost twice the write units): a token is only
        # honoured with its family, and the family is written first.
        family.save(condition=Family.pk.does_not_exist())
        self._token_item(token, family_id, user_id, now).save(condition=Token.pk.does_not_exist())
        return IssuedSession(family_id, user_id, token, now + self._lifetime)

    def _stored_token(self, token: str) -> Any:
        try:
            return self._m.RefreshToken.get(
                refresh_pk(token_digest(token)), TOKEN_SK, consistent_read=True
            )
        except DoesNotExist:
            return None

    def _family(self, family_id: str) -> Any:
        try:
            return self._m.Family.get(family_pk(family_id), FAMILY_SK, consistent_read=True)
        except DoesNotExist:
            return None

    def rotate(self, token: str) -> IssuedSession:
        """The next token of `token`'s family; `token` stops working."""
        now = self._clock.now()
        stored = self._stored_token(token)
        if stored is None or stored.expires_at <= now:
            raise InvalidRefreshToken()
        if stored.used_at is not None:
            self._reuse_detected(stored.family_id, stored.user_id)
        family = self._family(stored.family_id)
        if family is None or family.revoked_at is not None:
            raise InvalidRefreshToken()
        Family, Token = self._m.Family, self._m.RefreshToken
        following = new_refresh_token()
        expires_at = now + self._lifetime
        try:
            with OutboxTransaction() as tx:
                tx.update(
                    stored,
                    actions=[Token.used_at.set(now)],
                    condition=Token.used_at.does_not_exist(),
                )
                tx.update(
                    family,
                    actions=[Family.last_used_at.set(now), Family.expires_at.set(expires_at)],
                    condition=Family.revoked_at.does_not_exist(),
                )
                tx.save(
                    self._token_item(following, stored.family_id, stored.user_id, now),
                    condition=Token.pk.does_not_exist(),
                )
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                # Used by a concurrent request between our read and our write: the same reuse.
                self._reuse_detected(stored.family_id, stored.user_id)
            raise InvalidRefreshToken() from None
        return IssuedSession(stored.family_id, stored.user_id, following, expires_at)

    def _reuse_detected(self, family_id: str, user_id: str) -> None:
        self.revoke(family_id, "refresh_token_reused")
        logger.warning(
            "refresh token reused: session revoked",
            extra={"user_id": user_id, "family_id": family_id},
        )
        raise RefreshTokenReused()

    def revoke(self, family_id: str, reason: str) -> bool:
        """Revoke the family; False when it was already revoked or does not exist."""
        Family = self._m.Family
        try:
            Family(pk=family_pk(family_id), sk=FAMILY_SK).update(
                actions=[
                    Family.revoked_at.set(self._clock.now()),
                    Family.revoked_reason.set(reason),
                ],
                condition=Family.pk.exists() & Family.revoked_at.does_not_exist(),
            )
        except UpdateError:
            return False
        return True

    def is_active(self, family_id: str | None) -> bool:
        family = self._family(family_id) if family_id else None
        return family is not None and family.revoked_at is None

    def end(self, token: str) -> bool:
        """End the session `token` belongs to (used or not); False if there is none."""
        stored = self._stored_token(token)
        if stored is None:
            return False
        return self.revoke(stored.family_id, "logout")

    def end_all(self, user_id: str, reason: str, *, keep: str | None = None) -> int:
        """Revoke every live family of the user but `keep`; how many were revoked."""
        Family = self._m.Family
        live = Family.by_user.query(
            account_pk(user_id),
            Family.gsi1sk.startswith("FAMILY#"),
            filter_condition=Family.revoked_at.does_not_exist(),
        )
        return sum(
            self.revoke(family.family_id, reason) for family in live if family.family_id != keep
        )
