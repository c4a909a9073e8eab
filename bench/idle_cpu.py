"""The CPU an idle embedded stack uses: the whole platform started as `make up` starts it, left
alone, measured over a minute.

Starts the moto process and the stack with every service, touches each service
once (so that the sandboxes a first visit starts are there, as after a developer's first
clicks), waits for things to settle, then reads the CPU time (user + system) of this process
and of every process it started (moto, sandboxes, redis-server) from /proc, before and after
`seconds`.

    .venv/bin/python bench/idle_cpu.py [seconds]

Prints the CPU used, as a share of one core, in all and per kind of process; it asserts
nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers/common/python"), str(ROOT / "localstack"), str(ROOT)]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import requests  # noqa: E402

from keneya_local.backing_services import start_moto  # noqa: E402
from keneya_local.stack import EmbeddedStack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its command's name."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children[parent].append(int(entry.name))
        names[int(entry.name)] = command
    found: dict[int, str] = {}
    pending = list(children[pid])
    while pending:
        child = pending.pop()
        found[child] = names.get(child, "")
        pending.extend(children[child])
    return found


def kind_of(command: str) -> str:
    if "keneya_local.worker" in command:
        return "function sandboxes"
    if "keneya_local.moto_process" in command:
        return "moto"
    if "redis-server" in command:
        return "redis-server"
    return "other"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    from keneya_local.console import quiet_request_logs

    quiet_request_logs()
    # The stack's own moto process, as `make up` starts it.
    moto = start_moto("127.0.0.1", 0)
    logs = Path(tempfile.mkdtemp(prefix="keneya-bench-"))
    stack = EmbeddedStack(http_port=0, ws_port=0, aws_endpoint=moto.url, log_dir=logs)
    try:
        print("starting the whole platform ...", flush=True)
        stack.start()
        for service in stack.workers:
            requests.get(stack.url(service, "/health"), timeout=30)
        print("settling for 10 s ...", flush=True)
        time.sleep(10)
        me = os.getpid()
        processes = {me: "stack (gateways, pollers)", **descendants(me)}
        before = {pid: cpu_seconds(pid) for pid in processes}
        print(f"measuring {seconds:.0f} s of idleness over {len(processes)} processes ...")
        time.sleep(seconds)
        used: defaultdict[str, float] = defaultdict(float)
        for pid, command in processes.items():
            start, end = before[pid], cpu_seconds(pid)
            if start is None or end is None:
                continue
            kind = "stack (gateways, pollers)" if pid == me else kind_of(command)
            used[kind] += end - start
        total = sum(used.values())
        sandboxes = sum(
            len(f.sandboxes) for s in stack.workers.values() for f in s.functions.values()
        )
        print(f"Idle CPU over {seconds:.0f} s, {sandboxes} sandboxes alive (logs in {logs})")
        print(
            f"  {'all processes':<34}{total:7.2f} s CPU   {100 * total / seconds:5.1f} % of a core"
        )
        for kind, cpu in sorted(used.items(), key=lambda item: -item[1]):
            print(f"  {kind:<34}{cpu:7.2f} s CPU   {100 * cpu / seconds:5.1f} % of a core")
    finally:
        stack.stop()
        moto.stop()


if __name__ == "__main__":
    main()
