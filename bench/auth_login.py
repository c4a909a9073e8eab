"""Login latency of the auth service, over HTTP through the local stack's REST gateway.

Starts the auth service alone in the embedded local stack (moto in this process, its own
redis-server), registers one account, then times N sequential logins (POST /api/v1/auth/login,
each a password verification, a session written to DynamoDB and a token signed), and for
comparison the argon2id verification alone and failed logins of unknown accounts (the decoy
verification). Prints p50/p90/p99/max in milliseconds.

    .venv/bin/python bench/auth_login.py [logins]     (PYTHONPATH as the Makefile sets it)
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from figures import percentile

ROOT = Path(__file__).resolve().parent.parent
for entry in ("layers/common/python", "localstack", "functions/auth"):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
from keneya_local.console import quiet_request_logs  # noqa: E402

# The figures only: no request line from the HTTP servers (moto's, the stack's).
quiet_request_logs()

PASSWORD = "sahel-baobab-kora-1989"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    print(
        f"{label:<42}{statistics.median(samples):>8.1f}{percentile(samples, 0.9):>8.1f}"
        f"{percentile(samples, 0.99):>8.1f}{max(samples):>8.1f}{len(samples):>6}"
    )


def main() -> None:
    import requests
    from moto.server import ThreadedMotoServer

    from chalicelib import passwords
    from keneya_local.stack import EmbeddedStack

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    port = free_port()
    # As the stack's own moto server: transactions without whole-table copies, each
    # DynamoDB request atomic.
    from keneya_local import moto_fixes

    moto_fixes.install()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    stack = EmbeddedStack(
        http_port=0,
        ws_port=0,
        aws_endpoint=f"http://127.0.0.1:{port}",
        services=["auth"],
        log_dir=tempfile.mkdtemp(prefix="keneya-bench-auth-"),
    )
    try:
        stack.start()
        http = requests.Session()
        phone = f"+2237{secrets.randbelow(10**7):07d}"
        created = http.post(
            stack.url("auth", "/register"),
            json={
                "role": "patient",
                "full_name": "Awa Traoré",
                "phone": phone,
                "password": PASSWORD,
            },
        )
        created.raise_for_status()

        def login() -> None:
            response = http.post(
                stack.url("auth", "/login"), json={"phone": phone, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text

        def unknown_login() -> None:
            nobody = f"+2236{secrets.randbelow(10**7):07d}"
            response = http.post(
                stack.url("auth", "/login"), json={"phone": nobody, "password": PASSWORD}
            )
            assert response.status_code == 401, response.text

        hasher = passwords.PasswordHasher()
        stored = hasher.hash(PASSWORD)
        timed(login, 5)  # warm: key ring loaded, decoy hash made, connections open

        print(
            f"argon2id m={passwords.ARGON2_MEMORY_KIB // 1024} MiB, "
            f"t={passwords.ARGON2_TIME_COST}, p={passwords.ARGON2_PARALLELISM}; "
            f"{os.cpu_count()} CPU(s); times in ms"
        )
        print(f"{'':<42}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'n':>6}")
        report("argon2id verification alone", timed(lambda: hasher.verify(stored, PASSWORD), 50))
        report("POST /login, right password", timed(login, runs))
        # Fewer than the per-address lockout threshold (50 failures in 15 minutes).
        report("POST /login, unknown account (decoy)", timed(unknown_login, 40))
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
