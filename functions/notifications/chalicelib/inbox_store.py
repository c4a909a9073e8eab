"""The inbox in DynamoDB: notifications and the sparse index of the unread ones.

No write here needs a transaction: adding is one conditional put (a notice already stored is
left alone), reading is one conditional update that also takes the notification out of the
unread index. The unread count is counted from the notifications themselves with a strongly
consistent read, so it is never out of step with them (a stored counter would need a
transaction with every change, and could drift if one was lost).

After storing a notification, one query of the person's items counts the unread ones and reads
their live sockets and devices too, which the frame and the push that follow use
(`chalicelib.batch`): the sockets are read after the notification was stored, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib.batch import Batch
from chalicelib.devices import device_of
from chalicelib.inbox import InboxItem, Page, decode_cursor, encode_cursor
from chalicelib.tables import (
    CONNECTION_PREFIX,
    DEVICE_PREFIX,
    NOTIFICATION_PREFIX,
    READ_RETENTION,
    Models,
    notification_sk,
    unread_pk,
    user_pk,
)

# Unread notifications marked per query page by "mark all read".
_MARK_BATCH = 25
# Enough for any real inbox; a larger backlog is finished by the next "mark all".
_MARK_ALL_LIMIT = 1000


# The keys, a notification's read mark, and what a socket and a device are made of.
_REACHABLE_ATTRIBUTES = (
    "pk",
    "sk",
    "read_at",
    "connection_id",
    "connected_at",
    "expires_at",
    "device_id",
    "platform",
    "endpoint_arn",
    "registered_at",
    "gsi1pk",
    "gsi1sk",
)


def _condition_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


class InboxStore:
    def __init__(
        self,
        models: Models,
        now: Callable[[], datetime],
        batch: Batch,
        query: Callable[..., dict[str, Any]],
    ) -> None:
        """`query(**request)`: DynamoDB's Query (one page)."""
        self.models = models
        self.Notification = models.Notification
        self.now = now
        self.batch = batch
        self.query = query

    # -- writing ---------------------------------------------------------------------------

    def add(self, item: InboxItem) -> tuple[bool, int]:
        """Store `item` unread unless it is stored already: whether it was new, and the
        unread count after."""
        N = self.Notification
        stored = N(
            pk=user_pk(item.user_id),
            sk=notification_sk(item.id),
            notification_id=item.id,
            kind=item.kind,
            category=item.category,
            title=item.title,
            body=item.body,
            link=json.dumps(dict(item.link)),
            created_at=item.created_at,
            gsi1pk=unread_pk(item.user_id),
            gsi1sk=notification_sk(item.id),
        )
        created = True
        try:
            stored.save(condition=N.pk.does_not_exist())
        except PutError as error:
            if not _condition_failed(error):
                raise
            created = False
        if not created:
            return created, self.unread_count(item.user_id)
        return created, self._unread_and_reachable(item.user_id)

    def _unread_and_reachable(self, user_id: str) -> int:
        """The unread count, as `unread_count` reads it; the person's live sockets and devices
        from the same query are kept for the frame and the push that follow."""
        M = self.models
        now = self.now()
        request: dict[str, Any] = {
            "TableName": self.Notification.Meta.table_name,
            "KeyConditionExpression": "pk = :pk",
            # The person item and read notifications are left out; sockets and devices carry
            # no read_at, so the second half of the filter never drops them.
            "FilterExpression": "(begins_with(sk, :notification) AND attribute_not_exists(read_at))"
            " OR begins_with(sk, :socket) OR begins_with(sk, :device)",
            "ExpressionAttributeValues": {
                ":pk": {"S": user_pk(user_id)},
                ":notification": {"S": NOTIFICATION_PREFIX},
                ":socket": {"S": CONNECTION_PREFIX},
                ":device": {"S": DEVICE_PREFIX},
            },
            # Only what is counted or kept: a person's notifications are most of the partition,
            # and their words need not travel to be counted.
            "ProjectionExpression": ", ".join(f"#{n}" for n in _REACHABLE_ATTRIBUTES),
            "ExpressionAttributeNames": {f"#{n}": n for n in _REACHABLE_ATTRIBUTES},
            "ConsistentRead": True,
        }
        unread = 0
        sockets: list[str] = []
        devices = []
        while True:
            page = self.query(**request)
            for raw in page.get("Items", []):
                sk = raw["sk"]["S"]
                if sk.startswith(NOTIFICATION_PREFIX):
                    unread += 1
                elif sk.startswith(CONNECTION_PREFIX):
                    socket = M.PersonSocket.from_raw_data(raw)
                    if socket.expires_at > now:
                        sockets.append(socket.connection_id)
                elif sk.startswith(DEVICE_PREFIX):
                    devices.append(device_of(user_id, M.Device.from_raw_data(raw)))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.batch.keep("sockets", user_id, sockets)
        self.batch.keep("devices", user_id, devices)
        return unread

    def mark_read(self, user_id: str, notification_id: str) -> InboxItem | None:
        """Mark one notification read (again is fine); None when the person has no such one."""
        N = self.Notification
        target = N(pk=user_pk(user_id), sk=notification_sk(notification_id))
        try:
            target.update(
                actions=self._read_actions(self.now()),
                condition=N.pk.exists() & N.read_at.does_not_exist(),
            )
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        return self.get(user_id, notification_id)

    def mark_all_read(self, user_id: str) -> int:
        """Mark every unread notification read; how many were marked."""
        marked = 0
        for _ in range(_MARK_ALL_LIMIT // _MARK_BATCH):
            unread = [
                item
                for item in self.Notification.query(
                    user_pk(user_id),
                    self.Notification.sk.startswith(NOTIFICATION_PREFIX),
                    filter_condition=self.Notification.read_at.does_not_exist(),
                    consistent_read=True,
                    limit=_MARK_BATCH,
                )
            ]
            if not unread:
                break
            now = self.now()
            for item in unread:
                try:
                    item.update(
                        actions=self._read_actions(now),
                        condition=self.Notification.read_at.does_not_exist(),
                    )
                    marked += 1
                except UpdateError as error:  # read meanwhile by another request
                    if not _condition_failed(error):
                        raise
        return marked

    def _read_actions(self, now: datetime) -> list[Any]:
        N = self.Notification
        return [
            N.read_at.set(now),
            N.expires_at.set(now + READ_RETENTION),
            N.gsi1pk.remove(),
            N.gsi1sk.remove(),
        ]

    # -- reading ---------------------------------------------------------------------------

    def unread_count(self, user_id: str) -> int:
        """Counted from the notifications, read strongly consistent: exact after any change."""
        N = self.Notification
        return N.count(
            user_pk(user_id),
            N.sk.startswith(NOTIFICATION_PREFIX),
            filter_condition=N.read_at.does_not_exist(),
            consistent_read=True,
        )

    def get(self, user_id: str, notification_id: str) -> InboxItem | None:
        try:
            stored = self.Notification.get(
                user_pk(user_id), notification_sk(notification_id), consistent_read=True
            )
        except DoesNotExist:
            return None
        return _item(user_id, stored)

    def page(
        self, user_id: str, *, limit: int, cursor: str | None = None, unread_only: bool = False
    ) -> Page:
        """One page of the person's notifications, newest first; raises InvalidCursor."""
        N = self.Notification
        if unread_only:
            listing = {"pk": user_pk(user_id), "gsi1pk": unread_pk(user_id)}
        else:
            listing = {"pk": user_pk(user_id)}
        start = _raw_key(decode_cursor(cursor, listing)) if cursor else None
        # One more than asked tells whether another page follows, without an empty last page.
        if unread_only:
            found = N.unread_index.query(
                unread_pk(user_id),
                scan_index_forward=False,
                limit=limit + 1,
                last_evaluated_key=start,
            )
        else:
            found = N.query(
                user_pk(user_id),
                N.sk.startswith(NOTIFICATION_PREFIX),
                scan_index_forward=False,
                consistent_read=True,
                limit=limit + 1,
                last_evaluated_key=start,
            )
        stored = list(found)
        more = len(stored) > limit
        stored = stored[:limit]
        next_cursor = None
        if more and stored:
            last = stored[-1]
            key = {"pk": last.pk, "sk": last.sk}
            if unread_only:
                key |= {"gsi1pk": last.gsi1pk, "gsi1sk": last.gsi1sk}
            next_cursor = encode_cursor(key)
        return Page(items=[_item(user_id, s) for s in stored], next_cursor=next_cursor)

    def newer_than(
        self, user_id: str, notification_id: str | None, limit: int
    ) -> list[InboxItem]:
        """The notifications after `notification_id`, oldest first, at most `limit` (a socket
        catching up after a reconnection asks again from the last one it got)."""
        N = self.Notification
        lower = notification_sk(notification_id) if notification_id else NOTIFICATION_PREFIX
        # "~" sorts after every character of a ULID: the range holds notifications only.
        found = N.query(
            user_pk(user_id),
            N.sk.between(lower, NOTIFICATION_PREFIX + "~"),
            consistent_read=True,
            limit=limit + 1,
        )
        stored = [s for s in found if s.notification_id != notification_id]
        return [_item(user_id, s) for s in stored[:limit]]


def _raw_key(key: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in key.items()}


def _item(user_id: str, stored: Model) -> InboxItem:
    return InboxItem(
        id=stored.notification_id,
        user_id=user_id,
        kind=stored.kind,
        category=stored.category,
        title=stored.title,
        body=stored.body,
        created_at=stored.created_at,
        link=json.loads(stored.link or "{}"),
        read_at=stored.read_at,
    )
