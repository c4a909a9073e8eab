"""Wakes the stack's pollers the moment an in-process moto takes an SQS message or a DynamoDB
stream record.

Lambda's pollers long-poll: they learn of a message as it arrives and cost nothing meanwhile.
Looking into moto's memory every few milliseconds would cost CPU all day and still add those
milliseconds to every hop of an event (outbox -> stream -> relay -> SNS -> queue -> consumer).
So moto's `Queue.add_message` and `StreamShard.add` announce what they took, and a poller waits
for that announcement: it sleeps while nothing happens and wakes within the same millisecond
when something does. A short fallback wait remains, for what arrives without an announcement: a
message whose visibility timeout or delay ends.

Only a moto server running in this process can announce; against any other endpoint the
pollers long-poll the API as Lambda's do.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections import defaultdict
from collections.abc import Callable

_listeners: list[Callable[[str], None]] = []
_lock = threading.Lock()
_installed = False


def queue_key(queue_arn: str) -> str:
    return "sqs:" + queue_arn.rsplit(":", 1)[-1]


def stream_key(stream_arn: str) -> str:
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    return "stream:" + stream_arn.split(":", 5)[5].split("/")[1]


def _announce(key: str) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(key)


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    from moto.dynamodb.models.table import StreamShard
    from moto.sqs.models import Queue

    add_message = Queue.add_message
    add_record = StreamShard.add

    @functools.wraps(add_message)
    def announcing_add_message(queue: Queue, message: object) -> None:
        add_message(queue, message)
        _announce(f"sqs:{queue.name}")

    @functools.wraps(add_record)
    def announcing_add_record(shard: StreamShard, old: object, new: object) -> None:
        add_record(shard, old, new)
        _announce(f"stream:{shard.table.name}")

    Queue.add_message = announcing_add_message  # type: ignore[method-assign]
    StreamShard.add = announcing_add_record  # type: ignore[method-assign]


class Arrivals:
    """What moto announced, as seen from one asyncio loop: a count per queue or stream, and
    waiters woken when it moves."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._counts: defaultdict[str, int] = defaultdict(int)
        self._waiters: defaultdict[str, list[asyncio.Future[None]]] = defaultdict(list)

    def start(self) -> None:
        _install()
        with _lock:
            _listeners.append(self._heard)

    def stop(self) -> None:
        with _lock:
            if self._heard in _listeners:
                _listeners.remove(self._heard)

    def seen(self, key: str) -> int:
        """How many arrivals so far: pass it to `wait` after looking, so that one arriving in
        between is not slept through."""
        return self._counts[key]

    async def wait(self, key: str, seen: int, timeout: float) -> None:
        """Return when `key` has had an arrival since `seen`, or after `timeout` seconds."""
        if self._counts[key] != seen:
            return
        arrived: asyncio.Future[None] = self._loop.create_future()
        self._waiters[key].append(arrived)
        try:
            await asyncio.wait_for(arrived, timeout)
        except TimeoutError:
            pass
        finally:
            if arrived in self._waiters[key]:
                self._waiters[key].remove(arrived)

    def _heard(self, key: str) -> None:
        # Called on moto's request thread.
        self._loop.call_soon_threadsafe(self._arrived, key)

    def _arrived(self, key: str) -> None:
        self._counts[key] += 1
        for arrived in self._waiters.pop(key, []):
            if not arrived.done():
                arrived.set_result(None)
