"""What a newcomer does on the first day: `make up ARGS=--seed` and nothing else, then a script
that uses only HTTP (the API, the message catcher, the sandbox pages' own forms) takes a new
patient from sign-up to a confirmed, paid consultation that the doctor can start within 15
minutes, whatever the day and hour."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from keneya_local.backing_services import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_patient_reaches_a_paid_consultation_startable_within_15_minutes(tmp_path):
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
        ),
    }
    for variable in ("AWS_ENDPOINT_URL", "REDIS_URL", "MONGO_URL"):
        environment.pop(variable, None)
    http_port = free_port()
    # given the platform as `make up ARGS=--seed` starts it (on free ports)
    up = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keneya_local",
            "up",
            "--seed",
            "--http-port",
            str(http_port),
            "--ws-port",
            str(free_port()),
            "--aws-port",
            "0",
            "--state-dir",
            str(tmp_path / "state"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    summary: list[str] = []
    ready = threading.Event()

    def read_everything() -> None:
        # Read to the end: the stack writes every function's log lines, and a full pipe would
        # stop it.
        assert up.stdout is not None
        for line in up.stdout:
            if not ready.is_set():
                summary.append(line.rstrip())
            if "Press Ctrl-C to stop." in line:
                ready.set()
        ready.set()

    threading.Thread(target=read_everything, daemon=True).start()
    try:
        ready.wait(timeout=120)
        text = "\n".join(summary)
        assert "Press Ctrl-C to stop." in text, text[-3000:]
        assert "Seed           demo.py done" in text
        assert f"http://127.0.0.1:{http_port}/_sandbox/orange-money/" in text
        assert f"http://127.0.0.1:{http_port}/_sandbox/moov-money/phone" in text

        # when the demo script runs against it
        journey = subprocess.run(
            [
                sys.executable,
                "localstack/try_a_consultation.py",
                "--base",
                f"http://127.0.0.1:{http_port}",
                "--json",
            ],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=180,
        )

        # then the consultation is confirmed and paid, and the doctor can start it soon
        assert journey.returncode == 0, journey.stdout + journey.stderr
        result = json.loads(journey.stdout.strip().splitlines()[-1])
        assert result["status"] == "confirmed"
        can_start_at = datetime.fromisoformat(result["can_start_at"].replace("Z", "+00:00"))
        assert can_start_at <= datetime.now(UTC) + timedelta(minutes=15)
        for step in ("Patient", "Phone", "Doctor", "Booking", "Payment", "Payer", "Confirmed"):
            assert f"==> {step}" in journey.stdout
        assert "Dr Seydou Konaté" in journey.stdout
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
