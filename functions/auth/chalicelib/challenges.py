"""Stored OTP challenges (one per phone and purpose; see `chalicelib.otp` for the rules)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.models import Models, otp_key
from chalicelib.otp import Challenge, Purpose
from keneya.events import Event
from keneya.outbox import OutboxTransaction


class Challenges:
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
        """Store `challenge` in place of any earlier one, with the event that sends its code."""
        with OutboxTransaction() as tx:
            tx.save(self._item(challenge))
            tx.emit(event)

    def record_attempt(self, challenge: Challenge, max_attempts: int) -> bool:
        """Count one attempt on this very challenge, before its code is compared; False when
        none is left or the challenge was replaced or consumed meanwhile (so concurrent guesses
        cannot exceed the limit)."""
        Otp = self._m.OtpChallenge
        try:
            self._item(challenge).update(
                actions=[Otp.attempts.add(1)],
                condition=(Otp.challenge_id == challenge.challenge_id)
                & (Otp.attempts < max_attempts),
            )
        except UpdateError:
            return False
        return True

    def consume_in(self, tx: OutboxTransaction, challenge: Challenge) -> None:
        """Delete the challenge in `tx`: a code works once."""
        Otp = self._m.OtpChallenge
        tx.delete(self._item(challenge), condition=Otp.challenge_id == challenge.challenge_id)
