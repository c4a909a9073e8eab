"""What the functions talk to besides each other: an AWS-compatible endpoint, Redis, MongoDB.

Each is reused when the developer already runs one (`AWS_ENDPOINT_URL`, `REDIS_URL`,
`MONGO_URL`) and otherwise started here: moto in this process (so the message catcher can read
its backends), `redis-server` on a free port when installed, else fakeredis' TCP server; for
MongoDB only an in-process stand-in exists without a server (`mongomock://`).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IN_PROCESS_MONGO = "mongomock://"


class BackingServiceError(RuntimeError):
    """A backing service could not be reached or started; the message says which and why."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on `port` now. A port the stack itself just closed is free:
    its old connections wait in TIME_WAIT for a minute, which only a bind without SO_REUSEADDR
    minds (every server of the stack reuses its address), while a program listening there still
    refuses the bind."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def endpoint_answers(url: str, timeout: float = 1.5) -> bool:
    """Whether anything answers HTTP at `url` (any status: moto answers `/` with 404)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


# -- AWS ------------------------------------------------------------------------------------


@dataclass
class AwsEndpoint:
    url: str
    # The moto server this stack started (in this process); None for one found running.
    server: Any = None
    # Whether the endpoint is a moto server in this process (started here or by the caller),
    # whose state can be read directly.
    in_process: bool = False

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_moto(host: str = "127.0.0.1", port: int = 4566) -> AwsEndpoint:
    """A moto server in a thread of this process, on `port` (0: any free port)."""
    if port and not port_is_free(host, port):
        raise BackingServiceError(
            f"port {port} is taken by another program, and it does not answer as an AWS "
            f"endpoint; free it, pass --aws-port, or set AWS_ENDPOINT_URL"
        )
    from moto.server import ThreadedMotoServer

    from keneya_local import moto_fixes

    moto_fixes.install()
    # werkzeug would print one line per AWS call.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = port or free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return AwsEndpoint(url=f"http://{host}:{port}", server=server, in_process=True)


def serves_from_this_process(resource_arns: Iterable[str]) -> bool:
    """Whether the endpoint that created these SNS topics / SQS queues is a moto server in
    this process (a test's): moto's state is per process, so finding them in it says so."""
    sns = sys.modules.get("moto.sns.models")
    sqs = sys.modules.get("moto.sqs.models")
    if sns is None and sqs is None:
        return False
    for arn in resource_arns:
        parts = arn.split(":")
        if len(parts) < 6:
            continue
        service, region, account, name = parts[2], parts[3], parts[4], parts[5]
        try:
            if service == "sns" and sns is not None and account in sns.sns_backends:
                found = arn in sns.sns_backends[account][region].topics
            elif service == "sqs" and sqs is not None and account in sqs.sqs_backends:
                found = name in sqs.sqs_backends[account][region].queues
            else:
                found = False
        except Exception:
            found = False
        if found:
            return True
    return False


def prune_moto_stream_iterators(keep: int = 256) -> int:
    """Forget all but the newest DynamoDB stream iterators of the in-process moto.

    Every GetRecords call makes moto keep a new iterator forever; polling streams for hours
    would grow without bound. AWS expires iterators after 15 minutes, so dropping old ones
    changes nothing a client may rely on.
    """
    from moto.dynamodbstreams.models import ShardIterator, dynamodbstreams_backends

    dropped = 0
    live: set[int] = set()
    for account in list(dynamodbstreams_backends.values()):
        for backend in list(account.values()):
            iterators = backend.shard_iterators
            excess = len(iterators) - keep
            for key in list(iterators)[: max(0, excess)]:
                del iterators[key]
                dropped += 1
            live.update(id(iterator) for iterator in iterators.values())
    tracked = ShardIterator.instances_tracked  # type: ignore[attr-defined]
    if len(tracked) > len(live):
        ShardIterator.instances_tracked = [i for i in tracked if id(i) in live]  # type: ignore[attr-defined]
    return dropped


# -- Redis ----------------------------------------------------------------------------------


@dataclass
class RedisService:
    url: str
    description: str
    process: subprocess.Popen | None = None
    server: Any = None
    _workdir: Any = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None


def start_redis(
    host: str = "127.0.0.1", executable: str | None = None, log_path: Path | None = None
) -> RedisService:
    """`redis-server` on a free port when installed, else fakeredis' TCP server in a thread."""
    executable = executable or shutil.which("redis-server")
    if executable:
        return _start_redis_server(executable, host, log_path)
    from fakeredis import TcpFakeServer

    server = TcpFakeServer((host, 0), server_type="redis")
    # Connections of killed workers must not hold the stack's exit.
    server.daemon_threads = True
    server.block_on_close = False
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, name="fakeredis", daemon=True).start()
    return RedisService(
        url=f"redis://{host}:{port}/0",
        description=f"in-process stand-in (fakeredis) on {host}:{port}; install redis-server "
        "for the real one",
        server=server,
    )


def _start_redis_server(executable: str, host: str, log_path: Path | None) -> RedisService:
    workdir = tempfile.TemporaryDirectory(prefix="keneya-redis-")
    log_file = Path(log_path) if log_path else Path(workdir.name) / "redis.log"
    last_error = ""
    for _attempt in range(3):
        port = free_port(host)
        process = subprocess.Popen(
            [
                executable,
                "--bind",
                host,
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir.name,
                "--loglevel",
                "warning",
                "--logfile",
                str(log_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            # Ctrl-C reaches the stack only, which stops redis-server after the functions.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and process.poll() is None:
            if _redis_pings(host, port):
                return RedisService(
                    url=f"redis://{host}:{port}/0",
                    description=f"redis-server on {host}:{port}",
                    process=process,
                    _workdir=workdir,
                )
            time.sleep(0.02)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)
        last_error = log_file.read_text(errors="replace") if log_file.exists() else ""
    workdir.cleanup()
    raise BackingServiceError(f"redis-server did not start: {last_error.strip()[-500:]}")


def _redis_pings(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel ends redis-server if the stack dies."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class MotoProbe:
    """Looks into the in-process moto so that idle pollers need not call it over HTTP.

    A poll of an idle queue or stream costs a few milliseconds of CPU in this interpreter
    (boto3 on one side, moto on the other), which is what an API request then waits behind.
    Every answer may be None ("cannot tell"): the poller then calls the API as usual.
    """

    def stream_end(self, stream_arn: str) -> int | None:
        """The sequence number the next record of the stream's shard will get."""
        try:
            from moto.dynamodb.models import dynamodb_backends

            _, _, _, region, account, resource = stream_arn.split(":", 5)
            table = dynamodb_backends[account][region].tables.get(resource.split("/")[1])
            shard = table.stream_shard if table is not None else None
            if shard is None:
                return None
            return int(shard.starting_sequence_number) + len(shard.items)
        except Exception:
            return None

    def queue_has_visible_messages(self, queue_arn: str) -> bool | None:
        try:
            from moto.sqs.models import sqs_backends

            _, _, _, region, account, name = queue_arn.split(":", 5)
            queue = sqs_backends[account][region].queues.get(name)
            if queue is None:
                return None
            return any(m.visible and not m.delayed for m in list(queue._messages))
        except Exception:
            return None
