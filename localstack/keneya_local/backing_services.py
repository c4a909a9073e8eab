"""What the functions talk to besides each other: an AWS-compatible endpoint, Redis, MongoDB.

Each is reused when the developer already runs one (`AWS_ENDPOINT_URL`, `REDIS_URL`,
`MONGO_URL`) and otherwise started here: moto in a process of its own
(`keneya_local.moto_process`), `redis-server` on a free port when installed, else fakeredis'
TCP server; for MongoDB only an in-process stand-in exists without a server (`mongomock://`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keneya_local.parent_watch import die_with_parent

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


def end_process(process: subprocess.Popen) -> None:
    """Ask a child to stop, and make it stop if it has not within five seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class AwsEndpoint:
    url: str
    # The moto process this stack started; None for an endpoint found running.
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.process is not None:
            end_process(self.process)
        self.process = None


def start_moto(
    host: str = "127.0.0.1", port: int = 4566, log_path: Path | None = None, timeout: float = 60
) -> AwsEndpoint:
    """moto in a process of its own (`keneya_local.moto_process`) on `port` (0: any free
    port); its output goes to `log_path`."""
    if port and not port_is_free(host, port):
        raise BackingServiceError(
            f"port {port} is taken by another program, and it does not answer as an AWS "
            f"endpoint; free it, pass --aws-port, or set AWS_ENDPOINT_URL"
        )
    localstack_dir = str(Path(__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    environment = {
        **os.environ,
        "PYTHONPATH": localstack_dir + (os.pathsep + path if path else ""),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "keneya_local.moto_process", "--host", host, "--port"]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        process = subprocess.Popen(
            [*command, str(port)],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            env=environment,
            # Ctrl-C reaches the stack only, which stops moto after the functions.
            start_new_session=True,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )
    finally:
        if log_path:
            log.close()
    ready = _ready_line(process, timeout)
    if ready is None:
        if process.poll() is None:
            process.kill()
        process.wait()
        where = f"; see {log_path}" if log_path else ""
        raise BackingServiceError(f"the moto server did not start within {timeout:.0f} s{where}")
    # The rest of its output (nothing, normally) must never fill the pipe.
    threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
    return AwsEndpoint(url=f"http://{host}:{ready['port']}", process=process)


def _ready_line(process: subprocess.Popen, timeout: float) -> dict[str, Any] | None:
    from keneya_local.moto_process import READY_MARKER

    found: list[dict[str, Any]] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            text = line.decode(errors="replace").strip()
            if text.startswith(READY_MARKER):
                found.append(json.loads(text[len(READY_MARKER) :]))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    return found[0] if found else None


def _drain(stream: Any) -> None:
    with contextlib.suppress(Exception):
        while stream.read(65536):
            pass


# -- Redis ----------------------------------------------------------------------------------


@dataclass
class RedisService:
    url: str
    description: str
    process: subprocess.Popen | None = None
    server: Any = None
    _workdir: Any = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process is not None:
            end_process(self.process)
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
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
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
