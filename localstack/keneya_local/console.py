"""Where the local stack's lines go: the terminal, and one log file per function and for the stack.

Every line a function writes is kept as it was written in `<log dir>/<service>.log`, and the
stack's own lines in `stack.log`. The terminal (`echo`) shows one compact line per invocation,
made from the runtime's invocation line (see `FunctionRuntime.invocation_record`):

    12:03:04 consultations  api_handler     POST /api/v1/consultations  201  38 ms  warm
    12:03:05 notifications  consume_events  sqs 3 records  ok  12 ms  cold (init 410 ms)
    12:03:06 shop           explode         ValueError: asked to explode  2.1 ms  warm

plus the functions' warnings and errors in short (a JSON log record's level and message, a
`[WARN]`/`[ERROR]` line of the runtime) and what the stack says about a function (a timed-out
invocation, a sandbox started or replaced). The rest of a function's output (its JSON log
records, tracebacks, prints) stays in its log file unless `verbose`, which also shows every
raw line, prefixed with the function's name (`[keneya-local-auth] ...`). Nothing of an event's
content is ever shown: the invocation line carries none.

`quiet_request_logs()` silences the HTTP servers' request lines (moto's werkzeug server,
`http.server`), for the benchmarks, whose output is their figures.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from keneya_local.http_common import API_BASE

STACK_LOG = "stack"
# Column widths of the compact lines: the longest service names, the usual handler names.
_SERVICE_WIDTH = 13
_HANDLER_WIDTH = 15
_MESSAGE_LIMIT = 200
_SHOWN_LEVELS = {"WARN", "WARNING", "ERROR", "CRITICAL", "FATAL"}
# What the runtime writes to stderr when a handler raises; the invocation's compact line says
# the same in short, so this one (and the traceback after it) stays in the log file.
_RUNTIME_FAILURE = re.compile(r"^\[ERROR\] \S+ \S+ RequestId: ")
_TIMED_OUT = re.compile(r"^(?P<handler>\S+): Task timed out after (?P<seconds>[\d.]+) seconds$")


def function_name(service: str) -> str:
    """The Lambda function name a service's handlers run under locally."""
    return f"keneya-local-{service}"


# -- the compact lines (pure functions) -------------------------------------------------------


def invocation_summary(service: str, record: dict[str, Any], clock: str | None = None) -> str:
    """One compact line for one invocation line of the runtime: when, the service, the
    handler, what triggered it (`POST /api/v1/...  201`, `sqs 3 records`), the outcome (`ok`
    or the error's type and message), the duration, and `cold (init N ms)` or `warm`."""
    parts: list[str] = []
    if record.get("method"):
        base = record.get("base_path") or f"{API_BASE}/{service}"
        path = record.get("path") or ""
        parts.append(f"{record['method']} {base}{'' if path == '/' else path}")
    elif record.get("trigger"):
        parts.append(str(record["trigger"]))
    error = _error_text(record)
    if record.get("status") is not None:
        parts.append(str(record["status"]))
        if error:
            parts.append(error)
    elif record.get("outcome") == "ok":
        parts.append("ok")
    else:
        parts.append(error or str(record.get("outcome") or "error"))
    if record.get("duration_ms") is not None:
        parts.append(_ms(record["duration_ms"]))
    if record.get("cold"):
        init = record.get("init_ms")
        parts.append(f"cold (init {_ms(init)})" if init is not None else "cold")
    elif "cold" in record:
        parts.append("warm")
    handler = str(record.get("handler") or "")
    return _line(clock, service, f"{handler:<{_HANDLER_WIDTH}}  " + "  ".join(parts))


def log_record_summary(service: str, record: dict[str, Any], clock: str | None = None) -> str:
    """A function's JSON log record of level WARNING or above, in short: its level and
    message (not its other fields)."""
    level = str(_level(record) or "").upper()
    message = _short(str(record.get("message") or record.get("msg") or ""))
    exception = record.get("exception_name")
    if exception and exception not in message:
        message = f"{message} ({exception})"
    return _line(clock, service, f"{level:<{_HANDLER_WIDTH}}  {message}")


def stack_message_summary(service: str, message: str, clock: str | None = None) -> str:
    """What the stack says about a function (a timed-out invocation, a replaced sandbox)."""
    timed_out = _TIMED_OUT.match(message)
    if timed_out:
        seconds = float(timed_out["seconds"])
        text = f"{timed_out['handler']:<{_HANDLER_WIDTH}}  timed out after {seconds:g} s"
        return _line(clock, service, text)
    return _line(clock, service, message)


def terminal_line(
    service: str, line: str, *, verbose: bool, clock: str | None = None
) -> str | None:
    """What the terminal shows for one line of a function's output (None: nothing)."""
    record = _json_record(line)
    if record is not None and record.get("type") == "invocation":
        return invocation_summary(service, record, clock)
    if verbose:
        return f"[{function_name(service)}] {line}"
    if record is not None:
        if str(_level(record) or "").upper() in _SHOWN_LEVELS:
            return log_record_summary(service, record, clock)
        return None
    text = line.strip()
    if text.startswith("[") and text[1:].split("]", 1)[0].upper() in _SHOWN_LEVELS:
        if _RUNTIME_FAILURE.match(text):
            return None
        return _line(clock, service, _short(text))
    return None


def _json_record(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _level(record: dict[str, Any]) -> Any:
    return record.get("level") or record.get("levelname") or record.get("severity")


def _error_text(record: dict[str, Any]) -> str:
    error_type = record.get("error_type")
    if not error_type:
        return ""
    where = f" ({record['error_in']})" if record.get("error_in") else ""
    message = record.get("error_message")
    return f"{error_type}{where}: {_short(str(message))}" if message else f"{error_type}{where}"


def _ms(value: Any) -> str:
    milliseconds = float(value)
    return f"{milliseconds:.1f} ms" if milliseconds < 10 else f"{milliseconds:.0f} ms"


def _short(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _line(clock: str | None, source: str, text: str) -> str:
    return f"{clock or time.strftime('%H:%M:%S')} {source:<{_SERVICE_WIDTH}}  {text}".rstrip()


# -- the console ------------------------------------------------------------------------------


class Console:
    """`echo`: show lines on the terminal at all (False: the log files only, as the tests and
    the benchmarks run); `verbose`: show every raw line of the functions there too."""

    def __init__(
        self,
        log_dir: Path,
        *,
        echo: bool = True,
        verbose: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.echo = echo
        self.verbose = verbose
        self._stream = stream
        self._files: dict[str, TextIO] = {}
        self._lock = threading.Lock()

    def log_path(self, source: str) -> Path:
        return self.log_dir / f"{source}.log"

    def function_line(self, service: str, line: str) -> None:
        """A line about a function from the stack (its sandbox replaced, an invocation timed
        out): kept in the function's log, and always shown."""
        shown = None
        if self.echo:
            shown = (
                f"[{function_name(service)}] {line}"
                if self.verbose
                else stack_message_summary(service, line)
            )
        self._write(service, line, [shown] if shown else [])

    def function_lines(self, service: str, lines: list[str]) -> None:
        """What a function wrote: kept as written in its log; on the terminal, see the
        module's docstring."""
        shown: list[str] = []
        if self.echo:
            clock = time.strftime("%H:%M:%S")
            for line in lines:
                text = terminal_line(service, line, verbose=self.verbose, clock=clock)
                if text is not None:
                    shown.append(text)
        self._write(service, "\n".join(lines), shown)

    def stack_line(self, line: str) -> None:
        """A line about the stack itself (a poller's failure, a restarted worker)."""
        self._write(STACK_LOG, line, [f"[keneya-local] {line}"] if self.echo else [])

    def file_line(self, source: str, line: str) -> None:
        """A line for the log file only (a worker's start, kept out of the terminal)."""
        self._write(source, line, [])

    def _file(self, source: str) -> TextIO:
        handle = self._files.get(source)
        if handle is None:
            handle = self._files[source] = open(  # noqa: SIM115 (kept open while running)
                self.log_path(source), "a", encoding="utf-8"
            )
        return handle

    def _write(self, source: str, raw: str, shown: list[str]) -> None:
        with self._lock:
            handle = self._file(source)
            handle.write(raw + "\n")
            handle.flush()
            if shown:
                stream = self._stream or sys.stdout
                stream.write("\n".join(shown) + "\n")
                stream.flush()

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()


# -- the benchmarks' quiet ----------------------------------------------------------------------


def quiet_request_logs() -> None:
    """No request line from the HTTP servers of this process: moto's server (werkzeug logs
    one per AWS call), `http.server`'s handlers (`log_request`). Their errors still show."""
    for name in ("werkzeug", "moto", "botocore", "urllib3", "websockets", "aiohttp.access"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from http.server import BaseHTTPRequestHandler

    BaseHTTPRequestHandler.log_request = _no_request_line  # type: ignore[method-assign]


def _no_request_line(self: Any, code: Any = "-", size: Any = "-") -> None:
    del self, code, size
