"""The stack's side of one service's worker: its process, its output, and calls into it.

Lambda-like lifecycle: a worker that dies is replaced by a new one (Lambda starts a new
sandbox), and an invocation that outlives the function's timeout ends the worker ("Task timed
out"), so no request ever waits on a stuck function.

One `WorkerProcess` is one sandbox: it serves one invocation at a time (see
`keneya_local.worker`). The stack keeps one per service (`EmbeddedStack.workers`); running a
function's invocations concurrently, as Lambda's concurrent sandboxes do, means several of these
per function behind the same calls (`invoke`, `rest`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from keneya_local.console import Console
from keneya_local.errors import FunctionError
from keneya_local.lambda_runtime import API_HANDLER
from keneya_local.worker import READY_MARKER

# Lines longer than this (a huge log record) are cut rather than breaking the reader.
_LINE_LIMIT = 1 << 20
_CHUNK = 1 << 16
# A worker that dies this often within the window is left down rather than restarted forever.
_RESTART_LIMIT = 5
_RESTART_WINDOW_S = 60.0
_STOP_GRACE_S = 3.0


class WorkerStartError(RuntimeError):
    """The worker did not come up; the message carries the end of its output."""


class WorkerUnavailable(RuntimeError):
    """The worker is down (crashed, restarting or failed) and did not answer."""


class WorkerProcess:
    def __init__(
        self,
        service: str,
        app_dir: Path,
        environment: Mapping[str, str],
        console: Console,
        *,
        start_timeout: float = 60.0,
        python: str = sys.executable,
    ) -> None:
        self.service = service
        self.app_dir = Path(app_dir)
        self.environment = dict(environment)
        self.console = console
        self._connections: _ConnectionPool | None = None
        self.start_timeout = start_timeout
        self.python = python
        self.state = "new"
        self.port: int | None = None
        self.description: dict[str, Any] = {}
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._ready = asyncio.Event()
        self._stopping = False
        self._tail: deque[str] = deque(maxlen=40)
        self._restart_times: deque[float] = deque(maxlen=_RESTART_LIMIT)
        self._supervisor: asyncio.Task | None = None
        self._pump: asyncio.Task | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def has_routes(self) -> bool:
        return bool(self.description.get("has_routes"))

    def timeout_for(self, handler: str) -> float:
        handlers = self.description.get("handlers") or {}
        return float(handlers.get(handler) or handlers.get(API_HANDLER) or 60)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> dict[str, Any]:
        """Start the worker and return what it describes; raises WorkerStartError."""
        self.state = "starting"
        try:
            await self._launch()
        except WorkerStartError:
            self.state = "failed"
            raise
        self._supervisor = asyncio.create_task(self._supervise(), name=f"supervise-{self.service}")
        return self.description

    async def stop(self) -> None:
        self._stopping = True
        self.state = "stopped"
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self._end_process()

    async def recycle(self, reason: str) -> None:
        """End the worker now (the supervisor starts a new one), saying why."""
        self.console.function_line(self.service, reason)
        process = self._process
        self._ready.clear()
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()

    async def _launch(self) -> None:
        self._ready.clear()
        self.port = None
        env = {**self.environment, "PYTHONUNBUFFERED": "1"}
        self._process = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            "keneya_local.worker",
            "--service",
            self.service,
            "--app-dir",
            str(self.app_dir),
            "--port",
            "0",
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Ctrl-C reaches the stack only; it stops the workers itself, in order.
            start_new_session=True,
        )
        self.console.file_line(
            self.service,
            f"--- worker pid {self._process.pid} started at {time.strftime('%Y-%m-%d %H:%M:%S')}",
        )
        port_found: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pump = asyncio.create_task(self._pump_output(self._process, port_found))
        try:
            self.port = await asyncio.wait_for(port_found, self.start_timeout)
            self._connections = _ConnectionPool(self.port)
            self.description = await self._describe()
        except (TimeoutError, WorkerStartError, *_CONNECTION_ERRORS) as error:
            await self._end_process()
            tail = "\n".join(self._tail)
            detail = str(error) or type(error).__name__
            raise WorkerStartError(
                f"{self.service} did not start ({detail}); its last output:\n{tail}"
            ) from None
        self.state = "ready"
        self._ready.set()

    async def _pump_output(
        self, process: asyncio.subprocess.Process, port_found: asyncio.Future[int]
    ) -> None:
        assert process.stdout is not None
        pending = b""
        while True:
            # Whatever is there at once, not line by line: a busy function's output costs the
            # loop (which also serves requests) one pass per burst rather than per line.
            chunk = await process.stdout.read(_CHUNK)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            if len(pending) > _LINE_LIMIT:
                complete.append(pending)
                pending = b""
            lines = []
            for raw in complete:
                line = raw.decode("utf-8", errors="replace").rstrip("\r")
                if line.startswith(READY_MARKER) and not port_found.done():
                    port_found.set_result(int(json.loads(line[len(READY_MARKER) :])["port"]))
                    continue
                lines.append(line)
            if lines:
                self._tail.extend(lines)
                self.console.function_lines(self.service, lines)
        if pending:
            line = pending.decode("utf-8", errors="replace")
            self._tail.append(line)
            self.console.function_lines(self.service, [line])
        code = await process.wait()
        if not port_found.done():
            port_found.set_exception(WorkerStartError(f"exited with code {code}"))

    async def _supervise(self) -> None:
        while not self._stopping:
            assert self._process is not None
            code = await self._process.wait()
            if self._pump is not None:
                with contextlib.suppress(Exception):
                    await self._pump
            self._ready.clear()
            if self._stopping:
                return
            now = time.monotonic()
            self._restart_times.append(now)
            if (
                len(self._restart_times) == _RESTART_LIMIT
                and now - self._restart_times[0] < _RESTART_WINDOW_S
            ):
                self.state = "failed"
                self.console.function_line(
                    self.service,
                    f"worker exited with code {code}, {_RESTART_LIMIT} times within "
                    f"{_RESTART_WINDOW_S:.0f} s: left down",
                )
                return
            self.state = "restarting"
            self.restarts += 1
            self.console.function_line(
                self.service,
                f"worker exited with code {code}; starting a new one, as Lambda starts a new "
                "sandbox",
            )
            try:
                await self._launch()
            except WorkerStartError as error:
                self.state = "failed"
                self.console.function_line(self.service, str(error))
                return

    async def _end_process(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), _STOP_GRACE_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._pump is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pump, _STOP_GRACE_S)

    # -- calls -------------------------------------------------------------------------

    async def _describe(self) -> dict[str, Any]:
        status, _headers, body = await self._request("GET", "/describe", None, 10.0)
        if status != 200:
            raise WorkerStartError(f"/describe answered {status}")
        return json.loads(body)

    async def openapi(self) -> dict[str, Any] | None:
        return await self._document("/openapi")

    async def asyncapi(self) -> dict[str, Any] | None:
        return await self._document("/asyncapi")

    async def _document(self, path: str) -> dict[str, Any] | None:
        await self._wait_ready()
        try:
            status, _headers, body = await self._request("GET", path, None, 30.0)
        except _CONNECTION_ERRORS as error:
            raise WorkerUnavailable(f"{self.service}: {error}") from None
        if status == 404:
            return None
        if status != 200:
            raise WorkerUnavailable(f"{self.service}: {path} answered {status}")
        return json.loads(body)

    async def rest(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """One API Gateway request through the worker (see `keneya_local.worker`)."""
        status, _headers, body = await self._call("/rest", request, API_HANDLER)
        if status != 200:
            raise WorkerUnavailable(f"{self.service}: /rest answered {status}")
        return json.loads(body)

    async def invoke(self, handler: str, event: Any) -> Any:
        """Invoke one handler with a Lambda event; raises FunctionError as Lambda reports it."""
        _status, headers, body = await self._call(f"/invoke/{quote(handler)}", event, handler)
        result = json.loads(body) if body else None
        if headers.get("x-amz-function-error"):
            raise FunctionError.from_payload(result or {})
        return result

    async def _call(
        self, path: str, payload: Any, handler: str
    ) -> tuple[int, Mapping[str, str], bytes]:
        await self._wait_ready()
        timeout = self.timeout_for(handler)
        process = self._process
        try:
            return await self._request("POST", path, json.dumps(payload).encode(), timeout)
        except TimeoutError:
            message = f"Task timed out after {timeout:.2f} seconds"
            await self.recycle(f"{handler}: {message}")
            raise FunctionError("Sandbox.Timedout", message) from None
        except _CONNECTION_ERRORS as error:
            if process is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 1.0)
            if process is not None and process.returncode is not None:
                raise FunctionError(
                    "Runtime.ExitError",
                    f"Runtime exited with error: exit status {process.returncode}",
                ) from None
            raise WorkerUnavailable(f"{self.service}: {error!r}") from None

    async def _request(
        self, method: str, path: str, body: bytes | None, timeout: float
    ) -> tuple[int, dict[str, str], bytes]:
        if self._connections is None:
            raise ConnectionError(f"{self.service} has no port yet")
        async with asyncio.timeout(timeout):
            return await self._connections.request(method, path, body)

    async def _wait_ready(self) -> None:
        if self._ready.is_set():
            return
        if self.state in ("failed", "stopped"):
            raise WorkerUnavailable(f"{self.service} is {self.state}")
        try:
            await asyncio.wait_for(self._ready.wait(), self.start_timeout)
        except TimeoutError:
            raise WorkerUnavailable(f"{self.service} did not become ready") from None

    def status(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "pid": self.pid,
            "port": self.port,
            "restarts": self.restarts,
            "app_dir": os.fspath(self.app_dir),
            "routes": [
                f"{route['method']} {route['path']}"
                for route in self.description.get("routes") or []
            ],
            "websocket": any((self.description.get("websocket") or {}).values()),
            "event_sources": self.description.get("event_sources") or [],
        }


_CONNECTION_ERRORS = (ConnectionError, asyncio.IncompleteReadError, OSError, ValueError)


class _ConnectionPool:
    """Keep-alive HTTP/1.1 connections to one worker.

    The worker speaks a fixed, tiny subset of HTTP (JSON bodies with Content-Length), so a
    few lines of asyncio streams do what a general client would, at a fraction of the cost
    per request: this hop is most of what the local gateway adds to a request.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(
        self, method: str, path: str, body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        if self._idle:
            reader, writer = self._idle.pop()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            payload = body or b""
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + payload)
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionResetError("the worker closed the connection")
            status = int(status_line.split(b" ", 2)[1])
            headers: dict[str, str] = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            content = await reader.readexactly(int(headers.get("content-length") or 0))
        except BaseException:
            # Cancelled, timed out or broken: the connection's state is unknown; drop it.
            writer.close()
            raise
        self._idle.append((reader, writer))
        return status, headers, content
