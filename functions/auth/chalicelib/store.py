"""The service's table behind the ports of `chalicelib.service`: accounts and their login claims,
OTP challenges, and sessions (refresh-token families). Layout in `chalicelib.tables`.

Whatever must happen together (an account and its claims, a used code and the password it
resets, a token marked used and its successor) is one DynamoDB transaction, with the events it
causes (`keneya.outbox`).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from chalicelib.accounts import Account, AccountChange, LoginKind
from chalicelib.errors import DuplicateLogin
from chalicelib.otp import Challenge, Purpose
from chalicelib.sessions import IssuedSession, Rotation, StoredToken
from chalicelib.tables import (
    ACCOUNT_SK,
    FAMILY_SK,
    LOGIN_SK,
    TOKEN_SK,
    Models,
    account_pk,
    family_pk,
    login_pk,
    otp_key,
    refresh_pk,
)
from keneya.events import Event
from keneya.outbox import OutboxTransaction

# An account id that never exists: looked up for an unknown login so that both answers cost the
# same reads.
_NOBODY = "-"


def _conditional_check_failed(error: TransactWriteError, position: int) -> bool:
    reasons = error.cancellation_reasons or []
    reason = reasons[position] if position < len(reasons) else None
    return reason is not None and reason.code == "ConditionalCheckFailed"


class AccountStore:
    def __init__(self, models: Models) -> None:
        self._m = models

    def _item(self, account: Account) -> Any:
        return self._m.Account(
            pk=account_pk(account.user_id),
            sk=ACCOUNT_SK,
            user_id=account.user_id,
            role=account.role,
            full_name=account.full_name,
            phone=account.phone,
            email=account.email,
            language=account.language,
            password_hash=account.password_hash,
            phone_verified=account.phone_verified,
            status=account.status,
            created_at=account.created_at,
            password_changed_at=account.password_changed_at,
        )

    @staticmethod
    def _account(item: Any) -> Account:
        return Account(
            user_id=item.user_id,
            role=item.role,
            full_name=item.full_name,
            phone=item.phone,
            email=item.email,
            language=item.language,
            password_hash=item.password_hash,
            phone_verified=bool(item.phone_verified),
            status=item.status,
            created_at=item.created_at,
            password_changed_at=item.password_changed_at,
        )

    def register(self, account: Account, event: Event) -> None:
        claims: list[tuple[LoginKind, str]] = [
            (kind, value)
            for kind, value in (("phone", account.phone), ("email", account.email))
            if value
        ]
        Account_, Claim = self._m.Account, self._m.LoginClaim
        try:
            with OutboxTransaction() as tx:
                tx.save(self._item(account), condition=Account_.pk.does_not_exist())
                for kind, value in claims:
                    claim = Claim(
                        pk=login_pk(kind, value),
                        sk=LOGIN_SK,
                        user_id=account.user_id,
                        created_at=account.created_at,
                    )
                    tx.save(claim, condition=Claim.pk.does_not_exist())
                tx.emit(event)
        except TransactWriteError as error:
            # The claims follow the account in the transaction: positions 1 .. len(claims).
            taken = [
                kind
                for position, (kind, _) in enumerate(claims, start=1)
                if _conditional_check_failed(error, position)
            ]
            if taken:
                raise DuplicateLogin(taken) from None
            raise

    def get(self, user_id: str) -> Account | None:
        try:
            return self._account(self._m.Account.get(account_pk(user_id), ACCOUNT_SK))
        except DoesNotExist:
            return None

    def find_by_login(self, kind: LoginKind, value: str) -> Account | None:
        try:
            claim = self._m.LoginClaim.get(login_pk(kind, value), LOGIN_SK)
        except DoesNotExist:
            self.get(_NOBODY)
            return None
        return self.get(claim.user_id)

    def commit(self, change: AccountChange) -> bool:
        Account_, Otp = self._m.Account, self._m.OtpChallenge
        account = change.account
        try:
            with OutboxTransaction() as tx:
                if change.consumes is not None:
                    challenge = change.consumes
                    pk, sk = otp_key(challenge.phone, challenge.purpose)
                    tx.delete(
                        Otp(pk=pk, sk=sk), condition=Otp.challenge_id == challenge.challenge_id
                    )
                if change.password_hash is not None:
                    actions = [
                        Account_.password_hash.set(change.password_hash),
                        Account_.password_changed_at.set(change.changed_at),
                    ]
                    if change.verify_phone:
                        actions.append(Account_.phone_verified.set(True))
                    tx.update(
                        self._item(account),
                        actions=actions,
                        condition=Account_.password_hash == account.password_hash,
                    )
                elif change.verify_phone:
                    tx.update(
                        self._item(account),
                        actions=[Account_.phone_verified.set(True)],
                        condition=Account_.phone == account.phone,
                    )
                for event in change.events:
                    tx.emit(event)
        except TransactWriteError:
            return False
        return True

    def rehash(self, account: Account, password_hash: str) -> None:
        Account_ = self._m.Account
        # Changed meanwhile: the new password's hash is already current.
        with contextlib.suppress(UpdateError):
            self._item(account).update(
                actions=[Account_.password_hash.set(password_hash)],
                condition=Account_.password_hash == account.password_hash,
            )


class ChallengeStore:
    def __init__(self, models: Models) -> None:
        self._m = models

    def _item(self, challenge: Challenge) -> Any:
        pk, sk = otp_key(challenge.phone, challenge.purpose)
        return self._m.OtpChallenge(
            pk=pk,
            sk=sk,
            challenge_id=challenge.challenge_id,
            phone=challenge.phone,
            purpose=challenge.purpose,
            user_id=challenge.user_id,
            code_hash=challenge.code_hash,
            salt=challenge.salt,
            attempts=challenge.attempts,
            sent_at=challenge.sent_at,
            expires_at=challenge.expires_at,
        )

    def get(self, phone: str, purpose: Purpose) -> Challenge | None:
        try:
            item = self._m.OtpChallenge.get(*otp_key(phone, purpose), consistent_read=True)
        except DoesNotExist:
            return None
        return Challenge(
            challenge_id=item.challenge_id,
            phone=item.phone,
            purpose=item.purpose,
            user_id=item.user_id,
            code_hash=item.code_hash,
            salt=item.salt,
            attempts=int(item.attempts),
            sent_at=item.sent_at,
            expires_at=item.expires_at,
        )

    def replace(self, challenge: Challenge, event: Event) -> None:
        with OutboxTransaction() as tx:
            tx.save(self._item(challenge))
            tx.emit(event)

    def record_attempt(self, challenge: Challenge, max_attempts: int) -> bool:
        Otp = self._m.OtpChallenge
        # Conditioned on the stored count, so concurrent guesses cannot exceed the limit.
        try:
            self._item(challenge).update(
                actions=[Otp.attempts.add(1)],
                condition=(Otp.challenge_id == challenge.challenge_id)
                & (Otp.attempts < max_attempts),
            )
        except UpdateError:
            return False
        return True


# Where the used token's update stands in a rotation's transaction: PynamoDB sends the puts
# (the following token) before the updates (the used token, then the family).
_USED_TOKEN_UPDATE = 1


class SessionStore:
    def __init__(self, models: Models) -> None:
        self._m = models

    def _token_item(
        self, digest: str, family_id: str, user_id: str, now: datetime, expires_at: datetime
    ) -> Any:
        return self._m.RefreshToken(
            pk=refresh_pk(digest),
            sk=TOKEN_SK,
            family_id=family_id,
            user_id=user_id,
            issued_at=now,
            expires_at=expires_at,
        )

    def open(self, session: IssuedSession, digest: str, now: datetime) -> None:
        Family, Token = self._m.Family, self._m.RefreshToken
        family = Family(
            pk=family_pk(session.family_id),
            sk=FAMILY_SK,
            family_id=session.family_id,
            user_id=session.user_id,
            created_at=now,
            last_used_at=now,
            gsi1pk=account_pk(session.user_id),
            gsi1sk=f"FAMILY#{now.isoformat()}",
            expires_at=session.refresh_expires_at,
        )
        # Two writes, no transaction (which would cost twice the write units): a token is only
        # honoured with its family, and the family is written first.
        family.save(condition=Family.pk.does_not_exist())
        self._token_item(
            digest, session.family_id, session.user_id, now, session.refresh_expires_at
        ).save(condition=Token.pk.does_not_exist())

    def token(self, digest: str) -> StoredToken | None:
        try:
            item = self._m.RefreshToken.get(refresh_pk(digest), TOKEN_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return StoredToken(
            digest=digest,
            family_id=item.family_id,
            user_id=item.user_id,
            expires_at=item.expires_at,
            used=item.used_at is not None,
        )

    def is_live(self, family_id: str) -> bool:
        try:
            family = self._m.Family.get(family_pk(family_id), FAMILY_SK, consistent_read=True)
        except DoesNotExist:
            return False
        return family.revoked_at is None

    def rotate(
        self, used: StoredToken, following: str, now: datetime, expires_at: datetime
    ) -> Rotation:
        Family, Token = self._m.Family, self._m.RefreshToken
        try:
            with OutboxTransaction() as tx:
                tx.update(
                    Token(pk=refresh_pk(used.digest), sk=TOKEN_SK),
                    actions=[Token.used_at.set(now)],
                    condition=Token.used_at.does_not_exist(),
                )
                tx.update(
                    Family(pk=family_pk(used.family_id), sk=FAMILY_SK),
                    actions=[Family.last_used_at.set(now), Family.expires_at.set(expires_at)],
                    condition=Family.revoked_at.does_not_exist(),
                )
                tx.save(
                    self._token_item(following, used.family_id, used.user_id, now, expires_at),
                    condition=Token.pk.does_not_exist(),
                )
        except TransactWriteError as error:
            if _conditional_check_failed(error, _USED_TOKEN_UPDATE):
                return Rotation.ALREADY_USED
            return Rotation.REFUSED
        return Rotation.ROTATED

    def revoke(self, family_id: str, reason: str, now: datetime) -> bool:
        Family = self._m.Family
        try:
            Family(pk=family_pk(family_id), sk=FAMILY_SK).update(
                actions=[Family.revoked_at.set(now), Family.revoked_reason.set(reason)],
                condition=Family.pk.exists() & Family.revoked_at.does_not_exist(),
            )
        except UpdateError:
            return False
        return True

    def live_families(self, user_id: str) -> list[str]:
        Family = self._m.Family
        live = Family.by_user.query(
            account_pk(user_id),
            Family.gsi1sk.startswith("FAMILY#"),
            filter_condition=Family.revoked_at.does_not_exist(),
        )
        return [family.family_id for family in live]
