"""`python -m keneya_local up` (what `make up` runs): progress, summary, one instance, Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
import requests

from keneya_local.backing_services import free_port, port_is_free

from .conftest import FUNCTIONS, TEMPLATE
from .journal import Journal

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
SEED = """
import requests

def seed(stack):
    assert requests.get(stack.url("shop", "/health"), timeout=5).status_code == 200
    return ["buyer  alice / let-me-in", "seller bob / items-only"]
"""


class Output:
    """The lines a child process prints, collected on a thread so the test can wait for one."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s:\n" + "\n".join(self.lines))

    @property
    def text(self) -> str:
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return "\n".join(self.lines)


def _up(state_dir: Path, http_port: int, ws_port: int, *extra: str):
    """`up` as `make up` runs it: its own moto server in its own process."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(REPO / "layers/common/python"), str(REPO / "localstack"), str(REPO)]
        ),
    }
    environment.pop("AWS_ENDPOINT_URL", None)
    environment.pop("REDIS_URL", None)
    environment.pop("MONGO_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keneya_local",
            "up",
            "--template",
            str(TEMPLATE),
            "--functions",
            str(FUNCTIONS),
            "--http-port",
            str(http_port),
            "--ws-port",
            str(ws_port),
            "--aws-port",
            "0",
            "--state-dir",
            str(state_dir),
            *extra,
        ],
        env=environment,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@contextmanager
def _running_up(folder: Path) -> Iterator[tuple[subprocess.Popen, Output, dict]]:
    http_port, ws_port = free_port(), free_port()
    seeds = folder / "seed"
    seeds.mkdir()
    (seeds / "demo_accounts.py").write_text(SEED)
    process = _up(folder / "state", http_port, ws_port, "--seed", "--seed-dir", str(seeds))
    output = Output(process)
    try:
        output.wait_for("Press Ctrl-C to stop.", timeout=60)
        yield process, output, {"http": http_port, "ws": ws_port, "state": folder / "state"}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def running_up(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[subprocess.Popen, Output, dict]]:
    """One `up` shared by the tests that leave it running."""
    with _running_up(tmp_path_factory.mktemp("up")) as running:
        yield running


@pytest.fixture
def own_up(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Output, dict]]:
    """An `up` for a test that stops it."""
    with _running_up(tmp_path) as running:
        yield running


def test_up_reports_each_step_then_a_summary_and_serves_every_route(running_up):
    _, output, ports = running_up

    text = output.text
    for step in (
        "AWS endpoint",
        "Redis",
        "MongoDB",
        "Resources",
        "Functions",
        "Event sources",
        "Gateways",
    ):
        assert f"==> {step}" in text
    assert "in-process stand-in" in output.wait_for("==> MongoDB")
    assert "moto server started" in output.wait_for("==> AWS endpoint")
    assert f"http://127.0.0.1:{ports['http']}/api/v1/docs" in text
    assert f"http://127.0.0.1:{ports['http']}/_local/messages" in text
    assert "buyer  alice / let-me-in" in text
    assert "seller bob / items-only" in text
    base = f"http://127.0.0.1:{ports['http']}/api/v1/shop"
    assert requests.get(f"{base}/health", timeout=5).status_code == 200


def test_a_failing_invocation_is_one_line_in_the_console_and_all_of_it_in_its_log(running_up):
    _, output, ports = running_up

    requests.get(f"http://127.0.0.1:{ports['http']}/api/v1/shop/boom", timeout=5)

    output.wait_for("GET /api/v1/shop/boom  500  ValueError: the view broke")
    assert not any("Traceback" in line for line in output.lines)
    log = (ports["state"] / "logs" / "shop.log").read_text()
    assert "ValueError: the view broke" in log
    assert '"function_name": "keneya-local-shop"' in log


def test_a_second_up_says_where_the_first_runs_and_exits_0(running_up, tmp_path):
    process, _, ports = running_up

    same_state = _up(ports["state"], ports["http"], ports["ws"])
    other_state = _up(tmp_path / "elsewhere", ports["http"], ports["ws"])
    same_out, _ = same_state.communicate(timeout=30)
    other_out, _ = other_state.communicate(timeout=30)

    for second, out in ((same_state, same_out), (other_state, other_out)):
        assert second.returncode == 0
        assert "already running" in out
        assert f"http://127.0.0.1:{ports['http']}/api/v1" in out
    assert process.poll() is None


def test_ctrl_c_stops_every_process_and_frees_the_ports(own_up):
    process, output, ports = own_up
    up_json = json.loads((ports["state"] / "up.json").read_text())
    status = requests.get(f"http://127.0.0.1:{ports['http']}/_local/status", timeout=5).json()
    worker_pids = [s["pid"] for s in status["services"].values()]

    os.killpg(process.pid, signal.SIGINT)

    assert process.wait(timeout=30) == 0
    assert "==> stopped" in output.text
    assert up_json["pid"] == process.pid
    assert not (ports["state"] / "up.json").exists()
    for pid in worker_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert port_is_free("127.0.0.1", ports["http"])
    assert port_is_free("127.0.0.1", ports["ws"])


def test_events_and_sent_messages_flow_with_the_stacks_own_moto_server(running_up):
    _, _, ports = running_up
    base = f"http://127.0.0.1:{ports['http']}"
    status = requests.get(f"{base}/_local/status", timeout=5).json()
    aws = status["aws_endpoint"]
    sqs = boto3.client("sqs", endpoint_url=aws, region_name="us-east-1")
    journal = Journal(
        boto3.client("dynamodb", endpoint_url=aws, region_name="us-east-1"),
        "fixture-local-journal",
    )
    order = uuid.uuid4().hex[:10]

    queue = sqs.get_queue_url(QueueName="fixture-local-shop-orders")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"id": order}))
    requests.post(f"{base}/api/v1/shop/orders", json={"id": order, "total": 1}, timeout=5)
    requests.post(
        f"{base}/api/v1/shop/notify",
        json={"phone": "+22370000001", "email": "awa@example.ml", "code": "1234"},
        timeout=5,
    )

    journal.wait_for("sqs", order=order)
    journal.wait_for("stream", keys={"pk": {"S": f"ORDER#{order}"}, "sk": {"S": "ORDER"}})
    messages = requests.get(f"{base}/_local/messages.json", timeout=5).json()["messages"]
    assert {m["channel"] for m in messages if "1234" in m["body"]} == {"sms", "email"}


def _time_wait_ports() -> set[int]:
    """Local ports of this machine's TCP connections waiting in TIME_WAIT."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "06":  # TIME_WAIT
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_up_starts_again_right_after_ctrl_c_on_the_same_ports(tmp_path):
    ports = {"http": free_port(), "ws": free_port(), "aws": free_port()}
    fixed = ("--aws-port", str(ports["aws"]))
    first = _up(tmp_path / "state", ports["http"], ports["ws"], *fixed)
    second = None
    try:
        Output(first).wait_for("Press Ctrl-C to stop.", timeout=60)
        # given connections to each port that the stack itself closes when it stops
        http = requests.Session()
        assert http.get(f"http://127.0.0.1:{ports['http']}/_local/status", timeout=5).ok
        sqs = boto3.client(
            "sqs", endpoint_url=f"http://127.0.0.1:{ports['aws']}", region_name="us-east-1"
        )
        sqs.list_queues()
        os.killpg(first.pid, signal.SIGINT)
        assert first.wait(timeout=30) == 0
        http.close()
        sqs.close()
        assert _time_wait_ports() & set(ports.values()), "nothing was left in TIME_WAIT"

        # when it is started again at once on the same ports
        second = _up(tmp_path / "state", ports["http"], ports["ws"], *fixed)
        output = Output(second)

        # then it starts, rather than calling its own ports taken by another program
        output.wait_for("Press Ctrl-C to stop.", timeout=60)
        assert "in use" not in output.text and "taken" not in output.text
        status = requests.get(f"http://127.0.0.1:{ports['http']}/_local/status", timeout=5)
        assert status.json()["pid"] == second.pid
        assert status.json()["aws_endpoint"] == f"http://127.0.0.1:{ports['aws']}"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_port_another_program_listens_on_is_still_refused(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        process = _up(tmp_path / "state", port, free_port())
        out, _ = process.communicate(timeout=60)

    assert process.returncode == 1
    assert f"port {port} is in use by another program" in out
