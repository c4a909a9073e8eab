"""Accounts: who may sign in, with which phone or e-mail, as which role.

A phone number or e-mail address belongs to at most one account: registration writes the
account, one login claim per identifier and the `user.registered` event in one transaction,
each claim on condition that nobody holds it yet. Two people registering the same number at the
same moment get one account and one 409, never two accounts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.errors import DuplicateLogin
from chalicelib.models import ACCOUNT_SK, LOGIN_SK, Models, account_pk, login_pk
from keneya.events import Event
from keneya.outbox import OutboxTransaction

LoginKind = Literal["phone", "email"]
Role = Literal["patient", "doctor", "admin"]
ACTIVE = "active"
# An account id that never exists: looked up for an unknown login so that both answers cost the
# same reads.
_NOBODY = "-"


@dataclass(frozen=True)
class Account:
    user_id: str
    role: Role
    full_name: str
    phone: str | None
    email: str | None
    language: str
    password_hash: str
    phone_verified: bool
    status: str
    created_at: datetime
    password_changed_at: datetime

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


class Accounts:
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
        """Store `account` with its login claims and `event`; `DuplicateLogin` naming the
        identifiers another account already holds."""
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
            reasons = error.cancellation_reasons or []
            taken = [
                kind
                for (kind, _), reason in zip(claims, reasons[1 : 1 + len(claims)], strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
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

    def set_password_in(
        self,
        tx: OutboxTransaction,
        account: Account,
        password_hash: str,
        now: datetime,
        *,
        verify_phone: bool = False,
    ) -> None:
        """Add the password change to `tx`, on condition the password did not change since
        `account` was read (two concurrent changes: one wins)."""
        Account_ = self._m.Account
        actions = [
            Account_.password_hash.set(password_hash),
            Account_.password_changed_at.set(now),
        ]
        if verify_phone:
            actions.append(Account_.phone_verified.set(True))
        tx.update(
            self._item(account),
            actions=actions,
            condition=Account_.password_hash == account.password_hash,
        )

    def verify_phone_in(self, tx: OutboxTransaction, account: Account) -> None:
        Account_ = self._m.Account
        tx.update(
            self._item(account),
            actions=[Account_.phone_verified.set(True)],
            condition=Account_.phone == account.phone,
        )

    def rehash(self, account: Account, password_hash: str) -> None:
        """Store a stronger hash of the same password (after a login verified it)."""
        from pynamodb.exceptions import UpdateError

        Account_ = self._m.Account
        # Changed meanwhile: the new password's hash is already current.
        with contextlib.suppress(UpdateError):
            self._item(account).update(
                actions=[Account_.password_hash.set(password_hash)],
                condition=Account_.password_hash == account.password_hash,
            )
