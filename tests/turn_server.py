"""A real TURN server for the tests: coturn's `turnserver`, with the shared secret the signaling
service signs its credentials with (coturn's `use-auth-secret`).

Debian's `coturn` package provides it (`apt-get install coturn`). Without it the tests that need
it skip, except in CI (`CI` set), where its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

TURNSERVER = os.environ.get("KENEYA_TURNSERVER", "/usr/bin/turnserver")
TURN_CLIENT = os.environ.get("KENEYA_TURN_CLIENT", "/usr/bin/turnutils_uclient")
REALM = "keneya.local"


def require_turn_server() -> None:
    missing = [tool for tool in (TURNSERVER, TURN_CLIENT) if not shutil.which(tool)]
    if not missing:
        return
    reason = (
        f"no TURN server to test against: {', '.join(missing)} missing (apt-get install coturn)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass(frozen=True)
class TurnServer:
    host: str
    port: int
    log: Path

    def allocate(
        self, username: str, password: str, messages: int = 5
    ) -> subprocess.CompletedProcess:
        """Two TURN clients allocate relays with these credentials and send each other
        `messages` messages through them (`turnutils_uclient -y`)."""
        return subprocess.run(
            [TURN_CLIENT, "-y", "-n", str(messages), "-m", "1", "-l", "120",
             "-u", username, "-w", password, "-p", str(self.port), self.host],
            capture_output=True, text=True, timeout=30,
        )


@contextmanager
def running_turn_server(port: int, secret: str, log: Path) -> Iterator[TurnServer]:
    """`turnserver` on 127.0.0.1:`port` (UDP and TCP, no TLS), relaying on loopback."""
    process = subprocess.Popen(
        [TURNSERVER, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
         f"--listening-port={port}", "--use-auth-secret", f"--static-auth-secret={secret}",
         f"--realm={REALM}", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
         "--min-port=49152", "--max-port=65535", "--log-file=stdout", "--simple-log"],
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_tcp(port, process)
        yield TurnServer("127.0.0.1", port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_tcp(port: int, process: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"turnserver exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"turnserver did not listen on {port} within {timeout}s")
