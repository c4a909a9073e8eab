"""Wakes the stack's pollers the moment moto takes an SQS message or a DynamoDB stream record.

Lambda's pollers long-poll: they learn of a message as it arrives and cost nothing meanwhile.
Asking moto every few milliseconds would cost CPU all day and still add those milliseconds to
every hop of an event (outbox -> stream -> relay -> SNS -> queue -> consumer). So, in the moto
process (`keneya_local.moto_process`), moto's `Queue.add_message` and `StreamShard.add`
announce what they took (`announce_to`), and the process streams those announcements to the
stack, one line each. In the stack, `Arrivals` follows that stream: a poller that found
nothing waits for its queue's or stream's next line, sleeping while nothing happens and waking
within a millisecond when something does.

Against any other endpoint (LocalStack, MiniStack, another moto) there is no stream, and the
pollers long-poll the API as Lambda's do.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.client
import json
import socket
import threading
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable

_listeners: list[Callable[[str], None]] = []
_lock = threading.Lock()
_installed = False
# The moto process writes at least a heartbeat every 15 s: silence for longer means it is gone.
_FEED_SILENCE_S = 45.0
ARRIVALS_PATH = "/_keneya/arrivals"
HEALTH_PATH = "/_keneya/health"


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


def announce_to(listener: Callable[[str], None]) -> None:
    """In moto's process: call `listener(key)` for every message and stream record moto takes
    from now on (on the thread of the request that brought it)."""
    _install()
    with _lock:
        _listeners.append(listener)


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
    """The moto process's announcements, as seen from one asyncio loop: a count per queue or
    stream, and waiters woken when it moves. A thread reads the stream; if it breaks, the
    thread connects again and wakes every waiter, since something may have come meanwhile."""

    def __init__(self, loop: asyncio.AbstractEventLoop, endpoint_url: str) -> None:
        self._loop = loop
        self._endpoint = urllib.parse.urlsplit(endpoint_url)
        self._counts: defaultdict[str, int] = defaultdict(int)
        self._waiters: defaultdict[str, list[asyncio.Future[None]]] = defaultdict(list)
        self._stopping = threading.Event()
        self._connection: http.client.HTTPConnection | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def offered_by(endpoint_url: str) -> bool:
        """Whether `endpoint_url` is a Keneya moto process, which streams its arrivals."""
        try:
            with urllib.request.urlopen(
                endpoint_url.rstrip("/") + HEALTH_PATH, timeout=2
            ) as response:
                return bool(json.load(response).get("arrivals"))
        except (OSError, ValueError, AttributeError):
            return False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="moto-arrivals", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        connection = self._connection
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

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

    def _follow(self) -> None:
        pause = 0.1
        while not self._stopping.is_set():
            try:
                self._read_stream()
                pause = 0.1
            except (OSError, http.client.HTTPException):
                pass
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, 5.0)
            self._heard(None)

    def _read_stream(self) -> None:
        connection = http.client.HTTPConnection(
            self._endpoint.hostname or "127.0.0.1",
            self._endpoint.port or 80,
            timeout=_FEED_SILENCE_S,
        )
        self._connection = connection
        try:
            connection.request("GET", ARRIVALS_PATH)
            response = connection.getresponse()
            if response.status != 200:
                raise http.client.HTTPException(f"arrivals: {response.status}")
            while not self._stopping.is_set():
                line = response.readline()
                if not line:
                    return
                key = line.strip().decode()
                if key and key != "ready":
                    self._heard(key)
        finally:
            self._connection = None
            connection.close()

    def _heard(self, key: str | None) -> None:
        # Called on the reading thread; None: anything may have arrived.
        if self._stopping.is_set():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed while a line was read
            self._loop.call_soon_threadsafe(self._arrived, key)

    def _arrived(self, key: str | None) -> None:
        keys = [key] if key is not None else list(self._waiters)
        for each in keys:
            self._counts[each] += 1
            for arrived in self._waiters.pop(each, []):
                if not arrived.done():
                    arrived.set_result(None)
