"""The delivery log in DynamoDB: one entry per notification and channel.

Claiming a channel is one conditional write: it succeeds only while the channel is not finished
(new, or left sending / retrying by an earlier attempt), so two handlings of the same event can
never both send on a finished channel. The log holds statuses and provider references, never
the words sent or an address. An outcome reached without a send (`settle`) is kept for the end of
the event's handling (`chalicelib.batch`): no send depends on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.batch import Batch
from chalicelib.delivery import Status
from chalicelib.preferences import Channel
from chalicelib.tables import DELIVERY_RETENTION, Models, delivery_key


class DeliveryLogStore:
    def __init__(self, models: Models, now: Callable[[], datetime], batch: Batch) -> None:
        self.Delivery = models.Delivery
        self.now = now
        self.batch = batch

    def claim(self, notification_id: str, channel: Channel, user_id: str | None) -> int | None:
        D = self.Delivery
        pk, sk = delivery_key(notification_id, channel)
        now = self.now()
        entry = D(pk=pk, sk=sk)
        actions = [
            D.channel.set(channel),
            D.status.set("sending"),
            D.updated_at.set(now),
            D.expires_at.set(now + DELIVERY_RETENTION),
            D.attempts.add(1),
        ]
        if user_id:
            actions.append(D.user_id.set(user_id))
        try:
            entry.update(
                actions=actions,
                condition=D.pk.does_not_exist() | D.status.is_in("sending", "retrying"),
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return None
            raise
        return int(entry.attempts)

    def settle(
        self,
        notification_id: str,
        channel: Channel,
        user_id: str | None,
        status: Status,
        reason: str | None = None,
    ) -> None:
        D = self.Delivery
        pk, sk = delivery_key(notification_id, channel)
        now = self.now()
        actions = [
            D.channel.set(channel),
            D.status.set(status),
            D.updated_at.set(now),
            D.expires_at.set(now + DELIVERY_RETENTION),
        ]
        if reason:
            actions.append(D.reason.set(reason))
        if user_id:
            actions.append(D.user_id.set(user_id))
        # Left out of the write when the channel is finished already (`Batch`).
        self.batch.write_at_end(
            D(pk=pk, sk=sk).get_update_kwargs_from_instance(
                actions=actions,
                condition=D.pk.does_not_exist() | D.status.is_in("sending", "retrying"),
            )
        )

    def record(
        self,
        notification_id: str,
        channel: Channel,
        status: Status,
        *,
        reason: str | None = None,
        reference: str | None = None,
    ) -> None:
        D = self.Delivery
        pk, sk = delivery_key(notification_id, channel)
        actions = [D.status.set(status), D.updated_at.set(self.now())]
        actions.append(D.reason.set(reason) if reason else D.reason.remove())
        if reference:
            actions.append(D.reference.set(reference))
        D(pk=pk, sk=sk).update(actions=actions)

    def of(self, notification_id: str) -> list[dict[str, Any]]:
        """Every channel's outcome for one notification."""
        pk, _ = delivery_key(notification_id, "in_app")
        return [
            {
                "channel": entry.channel,
                "status": entry.status,
                "attempts": int(entry.attempts or 0),
                "reason": entry.reason,
                "updated_at": entry.updated_at.isoformat(timespec="milliseconds").replace(
                    "+00:00", "Z"
                ),
            }
            for entry in self.Delivery.query(pk, consistent_read=True)
        ]
