"""Lambda's sandboxes for one service: a pool of worker processes per function.

Lambda runs each function in sandboxes that serve one invocation at a time: a warm one is
reused, a new one is started (a cold start) when all are busy and the function is below its
concurrency, and an idle one is reclaimed after a while. `FunctionSandboxes` does the same with
`WorkerProcess`es: up to the function's reserved concurrency (from `.chalice/config.json`, which
`chalice package` turns into the template's `ReservedConcurrentExecutions`), or
`DEFAULT_CONCURRENCY` when none is set. At the limit an invocation waits for a sandbox to come
free; Lambda would throttle it instead (see localstack/README.md).

`ServiceSandboxes` stands where one worker per service stood: the REST API goes to the
`api_handler` function's pool, every other handler (an event source, a WebSocket route, a
schedule) to its own. The first sandbox is started with the stack and describes the app; the
others start on first use. A sandbox that crashes is replaced at once by its `WorkerProcess`,
and the invocation it was serving fails as Lambda's would (`Runtime.ExitError`), so an event
source retries it as Lambda does.

A service whose store lives inside the sandbox (the in-process MongoDB stand-in, when no
MongoDB server is configured) runs every function in one sandbox: two sandboxes would hold two
databases. With a MongoDB server (`MONGO_URL`), it gets its pools like every other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from keneya_local.console import Console
from keneya_local.lambda_runtime import API_HANDLER
from keneya_local.worker_process import WorkerProcess, WorkerUnavailable

# Lambda would run as many as the account allows. A sandbox spends most of an invocation
# waiting for the AWS endpoint, so on a two-core machine eight of them keep the cores busy
# where four left a burst queued; more only take turns on the same cores.
DEFAULT_CONCURRENCY = 8
# Lambda keeps an idle sandbox for minutes, not hours: long enough that a person clicking
# through the app meets warm functions, short enough that an idle stack gives its memory back.
IDLE_SANDBOX_SECONDS = 600.0

T = TypeVar("T")


class FunctionSandboxes:
    """The sandboxes of one function, and what they did: cold starts, warm invocations, the
    most invocations running at once."""

    def __init__(
        self,
        service: str,
        handler: str,
        limit: int,
        new_sandbox: Callable[[], WorkerProcess],
        console: Console,
    ) -> None:
        self.service = service
        self.handler = handler
        self.limit = max(1, limit)
        self._new_sandbox = new_sandbox
        self.console = console
        self.sandboxes: list[WorkerProcess] = []
        # The most recently used last: Lambda routes to a warm sandbox first.
        self._idle: list[WorkerProcess] = []
        self._idle_since: dict[int, float] = {}
        self._restarts_seen: dict[int, int] = {}
        self._starting = 0
        self._changed = asyncio.Condition()
        self.running = 0
        self.peak_running = 0
        self.invocations = 0
        self.cold_starts = 0
        self.warm_invocations = 0
        self.reclaimed = 0

    def adopt(self, sandbox: WorkerProcess) -> None:
        """Take a sandbox started elsewhere (the one that described the app) as an idle one."""
        self.sandboxes.append(sandbox)
        self._idle.append(sandbox)
        self._idle_since[id(sandbox)] = time.monotonic()
        self.cold_starts += 1

    async def run(self, call: Callable[[WorkerProcess], Awaitable[T]], *, count: bool = True) -> T:
        """`call(sandbox)` on a sandbox of this function that serves nothing else meanwhile."""
        sandbox, cold = await self._acquire()
        if count:
            self.invocations += 1
            if not cold:
                self.warm_invocations += 1
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        try:
            return await call(sandbox)
        finally:
            self.running -= 1
            await self._release(sandbox)

    async def _acquire(self) -> tuple[WorkerProcess, bool]:
        async with self._changed:
            while True:
                while self._idle:
                    sandbox = self._idle.pop()
                    self._idle_since.pop(id(sandbox), None)
                    if sandbox.state in ("failed", "stopped"):
                        self.sandboxes.remove(sandbox)
                        continue
                    # A sandbox replaced after a crash serves once it is up again, cold.
                    cold = sandbox.restarts > self._restarts_seen.get(id(sandbox), 0)
                    self._restarts_seen[id(sandbox)] = sandbox.restarts
                    return sandbox, cold
                if len(self.sandboxes) + self._starting < self.limit:
                    self._starting += 1
                    break
                await self._changed.wait()
        sandbox = self._new_sandbox()
        try:
            await sandbox.start()
        except Exception:
            async with self._changed:
                self._starting -= 1
                self._changed.notify()
            raise
        async with self._changed:
            self._starting -= 1
            self.sandboxes.append(sandbox)
        self.cold_starts += 1
        self.console.function_line(
            self.service,
            f"{self.handler}: sandbox {len(self.sandboxes)} of {self.limit} started "
            f"(pid {sandbox.pid})",
        )
        return sandbox, True

    async def _release(self, sandbox: WorkerProcess) -> None:
        async with self._changed:
            if sandbox in self.sandboxes:
                self._idle.append(sandbox)
                self._idle_since[id(sandbox)] = time.monotonic()
            self._changed.notify()

    async def reclaim_idle(self, idle_seconds: float) -> int:
        """Stop the sandboxes idle for longer than `idle_seconds`; how many were stopped."""
        now = time.monotonic()
        async with self._changed:
            stale = [s for s in self._idle if now - self._idle_since.get(id(s), now) > idle_seconds]
            for sandbox in stale:
                self._idle.remove(sandbox)
                self._idle_since.pop(id(sandbox), None)
                self.sandboxes.remove(sandbox)
        await asyncio.gather(*(sandbox.stop() for sandbox in stale), return_exceptions=True)
        self.reclaimed += len(stale)
        return len(stale)

    async def stop(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.sandboxes), return_exceptions=True)

    def status(self) -> dict[str, Any]:
        restarts = sum(sandbox.restarts for sandbox in self.sandboxes)
        return {
            "concurrency": self.limit,
            "sandboxes": len(self.sandboxes),
            "busy": self.running,
            "invocations": self.invocations,
            "cold_starts": self.cold_starts + restarts,
            "warm_invocations": self.warm_invocations,
            "peak_running": self.peak_running,
            "reclaimed": self.reclaimed,
            "pids": [sandbox.pid for sandbox in self.sandboxes],
        }


class ServiceSandboxes:
    """One service's functions, each with its own sandboxes, behind the calls the gateways and
    the event sources make."""

    def __init__(
        self,
        service: str,
        app_dir: Path,
        environment: Mapping[str, str],
        console: Console,
        *,
        start_timeout: float = 60.0,
        default_concurrency: int = DEFAULT_CONCURRENCY,
        one_sandbox: bool = False,
    ) -> None:
        """`one_sandbox`: every function of the service in one sandbox, one invocation at a
        time (its store lives in the sandbox's memory)."""
        self.service = service
        self.one_sandbox = one_sandbox
        self.app_dir = Path(app_dir)
        self.environment = dict(environment)
        self.console = console
        self.start_timeout = start_timeout
        self.default_concurrency = default_concurrency
        self.description: dict[str, Any] = {}
        self.functions: dict[str, FunctionSandboxes] = {}
        self.state = "new"

    def _new_sandbox(self) -> WorkerProcess:
        return WorkerProcess(
            self.service,
            self.app_dir,
            self.environment,
            self.console,
            start_timeout=self.start_timeout,
        )

    async def start(self) -> dict[str, Any]:
        """Start the first sandbox, which describes the app; raises WorkerStartError."""
        first = self._new_sandbox()
        self.state = "starting"
        try:
            self.description = await first.start()
        except Exception:
            self.state = "failed"
            raise
        if self.one_sandbox:
            handlers = self.description.get("handlers") or {}
            self.description["concurrency"] = dict.fromkeys(handlers, 1)
        self.function(API_HANDLER).adopt(first)
        self.state = "ready"
        return self.description

    async def stop(self) -> None:
        self.state = "stopped"
        await asyncio.gather(*(f.stop() for f in self.functions.values()), return_exceptions=True)

    def function(self, handler: str) -> FunctionSandboxes:
        if self.one_sandbox:
            handler = API_HANDLER
        if handler not in self.functions:
            limits = self.description.get("concurrency") or {}
            self.functions[handler] = FunctionSandboxes(
                self.service,
                handler,
                int(limits.get(handler) or self.default_concurrency),
                self._new_sandbox,
                self.console,
            )
        return self.functions[handler]

    @property
    def pid(self) -> int | None:
        """A live sandbox's pid (the documents it describes are the same in every one)."""
        api = self.functions.get(API_HANDLER)
        return api.sandboxes[0].pid if api and api.sandboxes else None

    @property
    def has_routes(self) -> bool:
        return bool(self.description.get("has_routes"))

    def timeout_for(self, handler: str) -> float:
        handlers = self.description.get("handlers") or {}
        return float(handlers.get(handler) or handlers.get(API_HANDLER) or 60)

    async def rest(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return await self.function(API_HANDLER).run(lambda sandbox: sandbox.rest(request))

    async def invoke(self, handler: str, event: Any) -> Any:
        if handler not in (self.description.get("handlers") or {}):
            # Unknown to the app: the sandbox answers as Lambda would, without a pool of its own.
            return await self.function(API_HANDLER).run(
                lambda sandbox: sandbox.invoke(handler, event), count=False
            )
        return await self.function(handler).run(lambda sandbox: sandbox.invoke(handler, event))

    async def openapi(self) -> dict[str, Any] | None:
        return await self._document(lambda sandbox: sandbox.openapi())

    async def asyncapi(self) -> dict[str, Any] | None:
        return await self._document(lambda sandbox: sandbox.asyncapi())

    async def _document(self, read: Callable[[WorkerProcess], Awaitable[Any]]) -> Any:
        if self.state != "ready":
            raise WorkerUnavailable(f"{self.service} is {self.state}")
        return await self.function(API_HANDLER).run(read, count=False)

    async def reclaim_idle(self, idle_seconds: float) -> int:
        counts = await asyncio.gather(
            *(f.reclaim_idle(idle_seconds) for f in self.functions.values())
        )
        return sum(counts)

    def status(self) -> dict[str, Any]:
        description = self.description
        sandboxes = [s for f in self.functions.values() for s in f.sandboxes]
        first = sandboxes[0] if sandboxes else None
        return {
            "state": self.state if self.state != "ready" or sandboxes else "idle",
            "pid": first.pid if first else None,
            "port": first.port if first else None,
            "restarts": sum(s.restarts for s in sandboxes),
            "app_dir": str(self.app_dir),
            "routes": [
                f"{route['method']} {route['path']}" for route in description.get("routes") or []
            ],
            "websocket": any((description.get("websocket") or {}).values()),
            "event_sources": description.get("event_sources") or [],
            "functions": {name: f.status() for name, f in sorted(self.functions.items())},
        }
