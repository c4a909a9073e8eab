"""`make up`: start the whole platform, say what runs where, stop cleanly on Ctrl-C.

One line per step while starting, then a summary (URLs, demo accounts, logs). A second `up`
while one runs says where it runs and exits 0: the running one holds a lock on
`.keneya/up.lock` and describes itself in `.keneya/up.json`.

`--seed` runs `seed(stack)` of every module in `localstack/seed/` (in name order) once the
stack is ready; a seed returns the lines to show under "Demo accounts" and must be idempotent,
since it runs again at every `up --seed`.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from keneya_local.backing_services import port_is_free
from keneya_local.http_common import API_BASE
from keneya_local.stack import (
    DEFAULT_FUNCTIONS,
    DEFAULT_TEMPLATE,
    REPO_ROOT,
    STATE_DIR,
    EmbeddedStack,
    StackError,
)

SEED_DIR = REPO_ROOT / "localstack" / "seed"


def up(
    *,
    template: Path = DEFAULT_TEMPLATE,
    functions_dir: Path = DEFAULT_FUNCTIONS,
    http_port: int = 3000,
    ws_port: int = 3001,
    aws_port: int = 4566,
    seed: bool = False,
    services: list[str] | None = None,
    state_dir: Path = STATE_DIR,
    seed_dir: Path = SEED_DIR,
    verbose: bool = False,
    quiet: bool = False,
    out: TextIO | None = None,
) -> int:
    """Run the stack until Ctrl-C or SIGTERM; the process exit code. The console shows one
    line per invocation; `verbose`: every line the functions write too; `quiet`: neither (the
    progress and the summary only). Everything is kept in the log files either way."""
    out = out or sys.stdout

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    state_dir.mkdir(parents=True, exist_ok=True)
    # moto, the pollers' boto3 calls and the gateways share this interpreter: hand the GIL
    # over sooner than the default 5 ms, so a request never queues behind a poll.
    sys.setswitchinterval(0.0005)
    # Ctrl-C must stop the stack even when a shell started it with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with _single_instance(state_dir) as running:
        if running is not None:
            say(_already_running(running))
            return 0
        elsewhere = _stack_answering(http_port)
        if elsewhere is not None:
            say(_already_running(elsewhere))
            return 0
        if not port_is_free("127.0.0.1", http_port):
            say(f"==> port {http_port} is in use by another program; pass --http-port")
            return 1

        stop_requested = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
        stack = EmbeddedStack(
            template,
            functions_dir,
            http_port=http_port,
            ws_port=ws_port,
            aws_port=aws_port,
            services=services,
            redis_url=os.environ.get("REDIS_URL") or None,
            mongo_url=os.environ.get("MONGO_URL") or None,
            log_dir=state_dir / "logs",
            echo=not quiet,
            progress=lambda line: say(f"==> {line}"),
            strict=False,
        )
        stack.console.verbose = verbose
        info = state_dir / "up.json"
        try:
            try:
                stack.start()
            except StackError as error:
                say(f"==> cannot start: {error}")
                return 1
            info.write_text(json.dumps(_description(stack), indent=2))
            accounts = _run_seeds(stack, say, seed_dir) if seed else None
            say(_summary(stack, accounts, state_dir, compact=not (verbose or quiet)))
            while not stop_requested.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C while stopping must not leave workers or redis-server behind.
            signal.signal(signal.SIGINT, lambda *_: say("==> still stopping, one moment"))
            say("==> stopping")
            stack.stop()
            with contextlib.suppress(FileNotFoundError):
                info.unlink()
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, signal.default_int_handler)
        say("==> stopped")
        return 0


# -- one instance at a time -----------------------------------------------------------------


@contextlib.contextmanager
def _single_instance(state_dir: Path) -> Iterator[dict[str, Any] | None]:
    """Holds `.keneya/up.lock` while the body runs; yields what the holder wrote when another
    process holds it (None when this one got it)."""
    with open(state_dir / "up.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                yield json.loads((state_dir / "up.json").read_text())
            except (FileNotFoundError, ValueError):
                yield {"starting": True}
            return
        try:
            yield None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stack_answering(http_port: int) -> dict[str, Any] | None:
    """The status of a Keneya stack already serving on the port (another checkout's)."""
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{http_port}/_local/status", timeout=1
        ) as response:
            status = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return status if isinstance(status, dict) and "api_url" in status else None


def _already_running(status: dict[str, Any]) -> str:
    if status.get("starting"):
        return "==> Keneya is already starting in another terminal; wait for its summary there."
    return (
        f"==> Keneya is already running (pid {status.get('pid')}): REST {status.get('api_url')}, "
        f"WebSocket {status.get('ws_url')}, sent messages {status.get('http_url')}/_local/messages"
    )


def _description(stack: EmbeddedStack) -> dict[str, Any]:
    status = stack.status()
    return {
        key: status[key]
        for key in ("pid", "http_url", "api_url", "ws_url", "aws_endpoint", "log_dir", "started_at")
    }


# -- seeding and the summary ------------------------------------------------------------------


def _run_seeds(stack: EmbeddedStack, say: Any, seed_dir: Path) -> list[str]:
    modules = sorted(seed_dir.glob("*.py")) if seed_dir.is_dir() else []
    modules = [m for m in modules if not m.name.startswith("_")]
    if not modules:
        say(f"==> Seed           nothing to seed yet (no modules in {_relative(seed_dir)})")
        return []
    accounts: list[str] = []
    for path in modules:
        spec = importlib.util.spec_from_file_location(f"keneya_seed_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            lines = module.seed(stack)
        except Exception as error:
            say(f"==> Seed           {path.name} failed: {type(error).__name__}: {error}")
            continue
        accounts.extend(str(line) for line in lines or [])
        say(f"==> Seed           {path.name} done")
    return accounts


def _summary(
    stack: EmbeddedStack, accounts: list[str] | None, state_dir: Path, *, compact: bool = False
) -> str:
    status = stack.status()
    rest = sorted(name for name, s in status["services"].items() if s.get("url"))
    sockets = [s["websocket_url"] for s in status["services"].values() if s.get("websocket_url")]
    failed = sorted(name for name, s in status["services"].items() if s.get("state") == "failed")
    logs = _relative(Path(status["log_dir"]))
    if accounts is None:
        demo = ["run `make up ARGS=--seed` to load the demo data"]
    elif not accounts:
        demo = ["none (nothing was seeded)"]
    else:
        demo = accounts
    lines = [
        "",
        f"Keneya is running (ready in {status['ready_seconds']} s).",
        f"  Web app        {status['http_url']}/  (patients: sign up, find a doctor, book, pay, "
        "the record, notifications)",
        f"  REST API       {status['api_url']}/<service>/...  ({', '.join(rest) or 'no routes'})",
        f"  API docs       {status['api_url']}/docs  (OpenAPI: {API_BASE}/openapi.json); "
        f"WebSocket and events: {status['api_url']}/docs/asyncapi  ({API_BASE}/asyncapi.json)",
        f"  WebSocket      {', '.join(sorted(sockets)) or 'none'}",
        f"  Sent messages  {status['http_url']}/_local/messages  (JSON: /_local/messages.json); "
        f"console {status['http_url']}/_local/",
        f"  Video call     {status['http_url']}/consultations/<id>/call  (in the app: sign in "
        "as the consultation's doctor or patient)",
        *_sandbox_lines(stack),
        f"  AWS endpoint   {status['aws_endpoint']}  (e.g. aws --endpoint-url "
        f"{status['aws_endpoint']} sqs list-queues)",
        f"  Demo accounts  {demo[0]}",
        *(f"                 {line}" for line in demo[1:]),
        f"  Logs           {logs}/<service>.log, {logs}/stack.log"
        + ("  (below: one line per invocation; every line: make up VERBOSE=1)" if compact else ""),
    ]
    if failed:
        lines.append(f"  NOT RUNNING    {', '.join(failed)} (see their logs above)")
    lines.append("Press Ctrl-C to stop.")
    del state_dir
    return "\n".join(lines)


def _sandbox_lines(stack: EmbeddedStack) -> list[str]:
    pages = stack.sandboxes.pages()
    return [
        f"  Payments       Orange Money sandbox {pages['Orange Money']}  (its payment page opens "
        "from the payment's next_action.url)",
        f"                 Moov Money phone {pages['Moov Money phone']}  (confirm the payer's "
        "prompt there)",
    ]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
