"""Where the local stack's lines go: the terminal, and one log file per function and for the stack.

A function's output is shown prefixed with its Lambda name (`[keneya-local-auth] ...`) and kept
as it was written in `<log dir>/<service>.log`; the stack's own lines go to `stack.log`.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TextIO

STACK_LOG = "stack"


def function_name(service: str) -> str:
    """The Lambda function name a service's handlers run under locally."""
    return f"keneya-local-{service}"


class Console:
    def __init__(self, log_dir: Path, *, echo: bool = True, stream: TextIO | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.echo = echo
        self._stream = stream
        self._files: dict[str, TextIO] = {}
        self._lock = threading.Lock()

    def log_path(self, source: str) -> Path:
        return self.log_dir / f"{source}.log"

    def function_line(self, service: str, line: str) -> None:
        self.function_lines(service, [line])

    def function_lines(self, service: str, lines: list[str]) -> None:
        prefix = f"[{function_name(service)}] "
        self._write(service, "\n".join(lines), "\n".join(prefix + line for line in lines))

    def stack_line(self, line: str) -> None:
        """A line about the stack itself (a poller's failure, a restarted worker)."""
        self._write(STACK_LOG, line, f"[keneya-local] {line}")

    def file_line(self, source: str, line: str) -> None:
        """A line for the log file only (a worker's start, kept out of the terminal)."""
        with self._lock:
            handle = self._file(source)
            handle.write(line + "\n")
            handle.flush()

    def _file(self, source: str) -> TextIO:
        handle = self._files.get(source)
        if handle is None:
            handle = self._files[source] = open(  # noqa: SIM115 (kept open while running)
                self.log_path(source), "a", encoding="utf-8"
            )
        return handle

    def _write(self, source: str, raw: str, shown: str) -> None:
        with self._lock:
            handle = self._file(source)
            handle.write(raw + "\n")
            handle.flush()
            if self.echo:
                stream = self._stream or sys.stdout
                stream.write(shown + "\n")
                stream.flush()

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()
