"""The stack's moto server, in a process of its own: `python -m keneya_local.moto_process`.

moto answers every AWS call of every function and poller, and it is the busiest part of the
local platform. In the stack's own process it shared one interpreter lock with the gateways
and the pollers, so on a machine with two cores a burst of events or bookings waited for one
core while the other idled. In its own process it has a core to itself.

It is served by waitress rather than moto's own werkzeug development server, which closes the
connection after every response and starts a thread for every request: with waitress the
functions' connections stay open, as they do to AWS, and a pool of threads serves them.

Besides AWS's APIs, it serves what the stack would otherwise read from moto's memory:

- `GET /_keneya/arrivals`: a stream of lines, one per SQS message or DynamoDB stream record
  moto takes (`sqs:<queue name>`, `stream:<table name>`), and one for a queue whose message
  becomes visible again (its visibility timeout or delay ended: moto itself never says so).
  The stack's pollers sleep until their line comes (`keneya_local.arrivals`), as Lambda's
  pollers long-poll, instead of asking moto over and over.
- `GET /_keneya/messages.json`: the SMS, push notifications and e-mails moto "sent", for the
  message catcher, without the whole of moto's state that `/moto-api/data.json` returns.
- `GET /_keneya/health`: this is a Keneya moto process (the stack asks before following).

It applies `keneya_local.moto_fixes`, expires DynamoDB stream iterators after 15 minutes as AWS
does, and ends when the process that started it ends.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from keneya_local.arrivals import ARRIVALS_PATH, HEALTH_PATH
from keneya_local.parent_watch import exit_with_parent

READY_MARKER = "keneya-moto-ready"
MESSAGES_PATH = "/_keneya/messages.json"
# A silent feed says so this often, so that a reader that went away is noticed and dropped.
_FEED_HEARTBEAT_S = 15.0
_VISIBILITY_SCAN_S = 1.0
_PRUNE_ITERATORS_S = 60.0
_ITERATOR_LIFETIME_S = 15 * 60.0
# Requests served at once (each reader of the arrivals holds one while it reads), and the
# connections kept open: every sandbox keeps its own, as it would to AWS.
_THREADS = 24
_CONNECTIONS = 2000

StartResponse = Callable[..., Any]


class ArrivalFeed:
    """The readers of `/_keneya/arrivals`, each with its own queue of keys."""

    def __init__(self) -> None:
        self._readers: set[queue.SimpleQueue[str]] = set()
        self._lock = threading.Lock()

    def publish(self, key: str) -> None:
        with self._lock:
            readers = list(self._readers)
        for reader in readers:
            reader.put(key)

    def stream(self) -> Iterator[bytes]:
        reader: queue.SimpleQueue[str] = queue.SimpleQueue()
        with self._lock:
            self._readers.add(reader)
        try:
            yield b"ready\n"
            while True:
                try:
                    keys = [reader.get(timeout=_FEED_HEARTBEAT_S)]
                except queue.Empty:
                    keys = [""]
                while not reader.empty():
                    keys.append(reader.get_nowait())
                yield ("\n".join(keys) + "\n").encode()
        finally:
            with self._lock:
                self._readers.discard(reader)


class KeneyaRoutes:
    """moto's WSGI application, with the three routes above in front of it."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]], feed: ArrivalFeed) -> None:
        self.moto_app = moto_app
        self.feed = feed

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith("/_keneya/"):
            if path == ARRIVALS_PATH:
                start_response(
                    "200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "no-store")]
                )
                return self.feed.stream()
            if path == MESSAGES_PATH:
                from keneya_local.catcher import from_moto_backends

                body = json.dumps([m.to_json() for m in from_moto_backends()]).encode()
                return _json(start_response, body)
            if path == HEALTH_PATH:
                return _json(start_response, b'{"arrivals": true}')
        return self.moto_app(environ, start_response)


def _json(start_response: StartResponse, body: bytes) -> list[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def announce_visible_again(announce: Callable[[str], None], every: float) -> None:
    """Announce each queue a message of which became visible since the last look: one whose
    visibility timeout or delay ended. moto decides that only when it is asked."""
    from moto.sqs.models import sqs_backends

    looked = time.time() * 1000
    while True:
        time.sleep(every)
        now = time.time() * 1000
        for account in list(sqs_backends.values()):
            for backend in list(account.values()):
                for queue_ in list(backend.queues.values()):
                    if any(
                        looked < max(message.visible_at, message.delayed_until) <= now
                        for message in list(queue_._messages)
                    ):
                        announce(f"sqs:{queue_.name}")
        looked = now


class StreamIteratorExpiry:
    """Forgets DynamoDB stream iterators 15 minutes after they were first seen, as AWS expires
    them.

    Every GetRecords call makes moto keep a new iterator forever: polling streams for hours
    would grow without bound. A reader holds an iterator for seconds (the stack's pollers read
    again at least every 30 s), so only abandoned ones reach the age.
    """

    def __init__(self, lifetime: float = _ITERATOR_LIFETIME_S) -> None:
        self.lifetime = lifetime
        self._first_seen: dict[str, float] = {}

    def __call__(self, now: float | None = None) -> int:
        from moto.dynamodbstreams.models import ShardIterator, dynamodbstreams_backends

        now = time.monotonic() if now is None else now
        dropped = 0
        present: set[str] = set()
        live: set[int] = set()
        for account in list(dynamodbstreams_backends.values()):
            for backend in list(account.values()):
                iterators = backend.shard_iterators
                for key in list(iterators):
                    if now - self._first_seen.setdefault(key, now) >= self.lifetime:
                        del iterators[key]
                        dropped += 1
                    else:
                        present.add(key)
                live.update(id(iterator) for iterator in iterators.values())
        self._first_seen = {k: t for k, t in self._first_seen.items() if k in present}
        tracked = ShardIterator.instances_tracked  # type: ignore[attr-defined]
        if len(tracked) > len(live):
            ShardIterator.instances_tracked = [i for i in tracked if id(i) in live]  # type: ignore[attr-defined]
        return dropped


def _every(seconds: float, action: Callable[[], Any], name: str) -> None:
    def loop() -> None:
        while True:
            time.sleep(seconds)
            try:
                action()
            except Exception as error:  # housekeeping must never end the server
                sys.stderr.write(f"{name}: {type(error).__name__}: {error}\n")

    threading.Thread(target=loop, name=name, daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keneya_local.moto_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    exit_with_parent()

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from waitress.server import create_server

    from keneya_local import arrivals, moto_fixes

    moto_fixes.install()
    # Only what went wrong: not a line per AWS call, nor waitress' note that a burst queued.
    logging.basicConfig(level=logging.ERROR)
    feed = ArrivalFeed()
    arrivals.announce_to(feed.publish)
    threading.Thread(
        target=announce_visible_again,
        args=(feed.publish, _VISIBILITY_SCAN_S),
        name="visible-again",
        daemon=True,
    ).start()
    _every(_PRUNE_ITERATORS_S, StreamIteratorExpiry(), "expire-stream-iterators")

    app = KeneyaRoutes(DomainDispatcherApplication(create_backend_app), feed)
    server = create_server(
        app,
        host=args.host,
        port=args.port,
        threads=_THREADS,
        # Every sandbox keeps its connections open, as it would to AWS.
        connection_limit=_CONNECTIONS,
        asyncore_use_poll=True,
        ident=None,
    )
    port = server.effective_port
    sys.stdout.write(f"{READY_MARKER} {json.dumps({'port': port, 'pid': os.getpid()})}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
