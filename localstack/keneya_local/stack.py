"""The whole platform on one machine, as a Python object: `EmbeddedStack`.

    with EmbeddedStack(http_port=0, ws_port=0, aws_endpoint=url) as stack:
        requests.get(stack.url("auth", "/health"))
        stack.invoke("users", "consume_events", {"Records": [...]})

`start()` brings up, in order: the AWS endpoint (a moto server in a process of its own unless
one is given or `AWS_ENDPOINT_URL` answers) and Redis, the template's resources (`provision`), one
worker process per service (started in parallel, each with the environment the template gives
it plus the local endpoints), the event sources (SQS, DynamoDB streams, schedules), the message
catcher, and the REST and WebSocket gateways. Everything runs in one asyncio loop on a
background thread; `stop()` ends it all, workers first.

"Embedded": it runs in the caller's process (a test session, a benchmark, `make up`), without
Docker. It is not LocalStack, the other way to run the same template locally
(`localstack/deploy.sh` and `localstack/docker-compose.yml`, beside this package).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from keneya_local.arrivals import Arrivals
from keneya_local.backing_services import (
    IN_PROCESS_MONGO,
    AwsEndpoint,
    BackingServiceError,
    RedisService,
    endpoint_answers,
    free_port,
    port_is_free,
    start_moto,
    start_redis,
)
from keneya_local.catcher import MessageCatcher
from keneya_local.console import Console, function_name
from keneya_local.event_sources import AwsClients, EventSources
from keneya_local.http_common import API_BASE
from keneya_local.mobile_money import MobileMoneySandboxes
from keneya_local.provision import Deployment, point_secrets_at_sandboxes, provision
from keneya_local.rest_gateway import RestGateway
from keneya_local.sandboxes import (
    DEFAULT_CONCURRENCY,
    IDLE_SANDBOX_SECONDS,
    ServiceSandboxes,
)
from keneya_local.websocket_gateway import WebSocketGateway
from keneya_local.worker_process import WorkerStartError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO_ROOT / "infra" / "template.yaml"
DEFAULT_FUNCTIONS = REPO_ROOT / "functions"
DEFAULT_LAYERS = (REPO_ROOT / "layers" / "common" / "python",)
STATE_DIR = REPO_ROOT / ".keneya"
DEFAULT_ACCOUNT_ID = "123456789012"
# The stack's own environment reaches the functions only through these names (plus the
# template's parameters and the local endpoints), as a Lambda sandbox starts almost empty.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TERM", "SYSTEMROOT")
_PASSED_THROUGH_PREFIXES = ("KENEYA_", "POWERTOOLS_", "LOG_LEVEL")
_HOUSEKEEPING_S = 60.0


class StackError(RuntimeError):
    """The stack could not start; the message says what to do about it."""


class EmbeddedStack:
    """Keneya's services, their event wiring and gateways, running locally (see module doc)."""

    def __init__(
        self,
        template: Path | str = DEFAULT_TEMPLATE,
        functions_dir: Path | str | None = DEFAULT_FUNCTIONS,
        *,
        http_port: int = 3000,
        ws_port: int = 3001,
        aws_endpoint: str | None = None,
        aws_port: int = 4566,
        host: str = "127.0.0.1",
        region: str = "us-east-1",
        stage: str = "local",
        parameter_overrides: Mapping[str, str] | None = None,
        services: Iterable[str] | None = None,
        redis_url: str | None = None,
        mongo_url: str | None = None,
        log_dir: Path | str | None = None,
        echo: bool = False,
        progress: Callable[[str], None] | None = None,
        layer_dirs: Iterable[Path | str] = DEFAULT_LAYERS,
        start_timeout: float = 90.0,
        strict: bool = True,
        concurrency: int = DEFAULT_CONCURRENCY,
        idle_sandbox_seconds: float = IDLE_SANDBOX_SECONDS,
    ) -> None:
        """`aws_endpoint`: use this AWS-compatible endpoint; None: `AWS_ENDPOINT_URL` when it
        answers, else a moto server started here on `aws_port` (0: a free port).
        `redis_url` / `mongo_url`: None starts redis-server (or its stand-in) / uses the
        in-process MongoDB stand-in. `services`: start only these. `strict`: a service that
        fails to start fails `start()`; otherwise it is reported and the rest runs.
        `concurrency`: the sandboxes a function may run at once when its configuration sets no
        reserved concurrency; `idle_sandbox_seconds`: how long an idle sandbox is kept."""
        self.template = Path(template)
        self.functions_dir = Path(functions_dir) if functions_dir else None
        self.host = host
        self.region = region
        self.stage = stage
        self.parameter_overrides = dict(parameter_overrides or {})
        self.only_services = set(services) if services is not None else None
        self.layer_dirs = [Path(p) for p in layer_dirs]
        self.start_timeout = start_timeout
        self.strict = strict
        self.concurrency = concurrency
        self.idle_sandbox_seconds = idle_sandbox_seconds
        self._requested_http_port = http_port
        self._requested_ws_port = ws_port
        self._requested_aws_endpoint = aws_endpoint
        self._aws_port = aws_port
        self._given_redis_url = redis_url
        self.mongo_url = mongo_url or IN_PROCESS_MONGO
        self.log_dir = Path(log_dir) if log_dir else STATE_DIR / "logs"
        self.console = Console(self.log_dir, echo=echo)
        self._progress = progress or (lambda line: None)

        self.http_url = ""
        self.ws_url = ""
        self.aws_endpoint: str | None = None
        self.redis_url: str | None = None
        self.deployment: Deployment | None = None
        self.workers: dict[str, ServiceSandboxes] = {}
        self.failed_services: dict[str, str] = {}
        self.event_sources: EventSources | None = None
        self.catcher: MessageCatcher | None = None
        # Orange Money and Moov Money as the payments service reaches them locally.
        self.sandboxes = MobileMoneySandboxes()
        self.ready = False
        self.ready_seconds: float | None = None
        self.started_at: str | None = None
        self.account_id = DEFAULT_ACCOUNT_ID

        self._aws: AwsEndpoint | None = None
        self._redis: RedisService | None = None
        self._aws_clients: AwsClients | None = None
        self._rest: RestGateway | None = None
        self._websocket: WebSocketGateway | None = None
        self._http_socket: socket.socket | None = None
        self._housekeeping: asyncio.Task | None = None
        self._arrivals: Arrivals | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- public API ----------------------------------------------------------------------

    def start(self) -> EmbeddedStack:
        """Start everything; returns once every route answers. Raises StackError."""
        if self._thread is not None:
            raise StackError("this stack is already started")
        # The pollers' boto3 calls, the gateways (and the test or benchmark embedding the stack)
        # share this interpreter: hand the GIL over sooner than the default 5 ms, so that a
        # request never queues behind a poll.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.0005))
        loop_ready = threading.Event()

        def run_loop() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            loop_ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run_loop, name="keneya-local", daemon=True)
        self._thread.start()
        loop_ready.wait()
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self._astart(), self._loop)
        try:
            future.result(timeout=self.start_timeout)
        except BaseException as error:
            self.stop()
            if isinstance(error, concurrent.futures.TimeoutError):
                raise StackError(
                    f"the stack was not ready within {self.start_timeout:.0f} s; see the logs "
                    f"in {self.log_dir}"
                ) from None
            raise
        return self

    def stop(self) -> None:
        """Stop everything this stack started (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._astop(), loop).result(timeout=60)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._loop = None
        self._thread = None
        self.console.close()

    def __enter__(self) -> EmbeddedStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, service: str, path: str = "") -> str:
        """The public URL of a service's route: `url("auth", "/health")`."""
        return f"{self.http_url}{API_BASE}/{service}{path}"

    def websocket_url(self, service: str) -> str:
        return f"{self.ws_url}/{service}"

    def invoke(self, service: str, handler: str, event: Any, timeout: float | None = None) -> Any:
        """Invoke one function like Lambda's Invoke API; raises `FunctionError` when it raised."""
        if self._loop is None:
            raise StackError("the stack is not running")
        future = asyncio.run_coroutine_threadsafe(self._invoke(service, handler, event), self._loop)
        return future.result(timeout=timeout)

    async def ainvoke(self, service: str, handler: str, event: Any) -> Any:
        """`invoke` for async callers, from this stack's loop or any other."""
        if self._loop is None:
            raise StackError("the stack is not running")
        if asyncio.get_running_loop() is self._loop:
            return await self._invoke(service, handler, event)
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self._invoke(service, handler, event), self._loop)
        )

    def observe_frames(self, observer: Callable[[str, bytes], None]) -> None:
        """Call `observer(service, frame)` for every frame a service sends a WebSocket client."""
        if self._websocket is None:
            raise StackError("the stack is not running")
        self._websocket.frame_observers.append(observer)

    def messages(self) -> list[dict[str, Any]]:
        """What the platform "sent" (SMS, e-mail, push), newest first."""
        if self.catcher is None:
            return []
        return [message.to_json() for message in self.catcher.messages()]

    def status(self) -> dict[str, Any]:
        services = {}
        for name, worker in sorted(self.workers.items()):
            entry = worker.status()
            entry["url"] = self.url(name) if worker.has_routes else None
            entry["websocket_url"] = self.websocket_url(name) if entry["websocket"] else None
            entry["log"] = str(self.console.log_path(name))
            services[name] = entry
        for name, reason in sorted(self.failed_services.items()):
            services.setdefault(name, {"state": "failed", "error": reason})
        return {
            "ready": self.ready,
            "pid": os.getpid(),
            "started_at": self.started_at,
            "ready_seconds": self.ready_seconds,
            "http_url": self.http_url,
            "api_url": f"{self.http_url}{API_BASE}",
            "ws_url": self.ws_url,
            "aws_endpoint": self.aws_endpoint,
            # Whether the pollers follow moto's arrivals (a Keneya moto process) or long-poll.
            "aws_arrivals": self._arrivals is not None,
            "redis_url": self.redis_url,
            "mongo_url": self.mongo_url,
            "log_dir": str(self.log_dir),
            "services": services,
            "event_sources": self.event_sources.status() if self.event_sources else [],
        }

    # -- starting ------------------------------------------------------------------------

    async def _astart(self) -> None:
        began = time.monotonic()
        self.started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        # The ports first: a busy one fails fast, before anything was started.
        self._http_socket = _listen(self.host, self._requested_http_port, "--http-port")
        http_port = self._http_socket.getsockname()[1]
        ws_port = self._requested_ws_port or free_port(self.host)
        if not port_is_free(self.host, ws_port):
            raise StackError(f"port {ws_port} is in use by another program; pass --ws-port")
        self.http_url = f"http://{self.host}:{http_port}"
        self.ws_url = f"ws://{self.host}:{ws_port}"
        self.sandboxes.locate(self.http_url)

        step = time.monotonic()
        self._aws, self._redis = await asyncio.gather(
            asyncio.to_thread(self._open_aws), asyncio.to_thread(self._open_redis)
        )
        self.aws_endpoint = self._aws.url
        self.redis_url = self._redis.url
        where = "moto server started" if self._aws.process else "endpoint already running"
        self._progress(f"AWS endpoint   {self.aws_endpoint} ({where}, {_since(step)})")
        self._progress(f"Redis          {self._redis.description}")
        if self.mongo_url.startswith(IN_PROCESS_MONGO):
            self._progress(
                "MongoDB        in-process stand-in (mongomock) in each function; set "
                "MONGO_URL to use a server"
            )
        else:
            self._progress(f"MongoDB        {_redact(self.mongo_url)}")

        step = time.monotonic()
        # boto3 for the pollers loads while the template is provisioned.
        self.deployment, self._aws_clients = await asyncio.gather(
            asyncio.to_thread(
                provision,
                self.template,
                endpoint_url=self.aws_endpoint,
                region=self.region,
                stage=self.stage,
                # Payers come back to the web app this stack serves.
                parameter_overrides={"WebAppUrl": self.http_url, **self.parameter_overrides},
                functions_dir=self.functions_dir,
            ),
            asyncio.to_thread(AwsClients, self.aws_endpoint, self.region),
        )
        self.account_id = _account_of(self.deployment) or DEFAULT_ACCOUNT_ID
        await asyncio.to_thread(
            point_secrets_at_sandboxes,
            self.deployment,
            self.sandboxes.secrets(),
            self.only_services if self.only_services is not None else self.deployment.services,
            endpoint_url=self.aws_endpoint,
            region=self.region,
        )
        resources = len(self.deployment.resources)
        self._progress(
            f"Resources      {resources} from {_display(self.template)} ({_since(step)})"
        )

        step = time.monotonic()
        await self._start_workers(ws_port, http_port)
        handlers = sum(len(w.description.get("handlers") or {}) for w in self.workers.values())
        failed = (
            f"; FAILED: {', '.join(sorted(self.failed_services))}" if self.failed_services else ""
        )
        self._progress(
            f"Functions      {len(self.workers)} services, {handlers} handlers "
            f"({_since(step)}){failed}"
        )

        if await asyncio.to_thread(Arrivals.offered_by, self.aws_endpoint):
            self._arrivals = Arrivals(asyncio.get_running_loop(), self.aws_endpoint)
            self._arrivals.start()
        self.event_sources = EventSources(
            self._invoke,
            self._aws_clients,
            self.console,
            self.account_id,
            arrivals=self._arrivals,
            concurrency=self.concurrency,
        )
        for name, worker in sorted(self.workers.items()):
            self.event_sources.add_service(name, worker.description)
        self.event_sources.start()
        counts = self.event_sources.counts()
        self._progress(
            f"Event sources  {counts['sqs']} SQS queues, {counts['dynamodb']} DynamoDB "
            f"streams, {counts['schedule']} schedules"
        )

        self.catcher = MessageCatcher(self.aws_endpoint)
        self._rest = RestGateway(self)
        await self._rest.start(self._http_socket)
        self._websocket = WebSocketGateway(
            self._invoke,
            {name: worker.description for name, worker in self.workers.items()},
            self.host,
            ws_port,
            stage=self.stage,
        )
        await self._websocket.start()
        self._progress(
            f"Gateways       REST {self.http_url}{API_BASE}/<service>/..., "
            f"WebSocket {self.ws_url}/<service>"
        )
        self._housekeeping = asyncio.create_task(self._keep_house())
        self.ready_seconds = round(time.monotonic() - began, 2)
        self.ready = True

    def _open_aws(self) -> AwsEndpoint:
        given = self._requested_aws_endpoint
        if given:
            if not endpoint_answers(given):
                raise StackError(f"no AWS endpoint answers at {given}")
            return AwsEndpoint(url=given.rstrip("/"))
        from_environment = os.environ.get("AWS_ENDPOINT_URL")
        if from_environment:
            if endpoint_answers(from_environment):
                return AwsEndpoint(url=from_environment.rstrip("/"))
            raise StackError(
                f"AWS_ENDPOINT_URL={from_environment} does not answer; start it or unset "
                "AWS_ENDPOINT_URL to let the stack start a moto server"
            )
        if self._aws_port:
            existing = f"http://{self.host}:{self._aws_port}"
            if not port_is_free(self.host, self._aws_port) and endpoint_answers(existing):
                # A moto server or LocalStack already listens there: use it.
                return AwsEndpoint(url=existing)
        try:
            return start_moto(self.host, self._aws_port, log_path=self.console.log_path("moto"))
        except BackingServiceError as error:
            raise StackError(str(error)) from None

    def _open_redis(self) -> RedisService:
        if self._given_redis_url:
            return RedisService(
                url=self._given_redis_url, description=_redact(self._given_redis_url)
            )
        try:
            return start_redis(self.host, log_path=self.console.log_path("redis"))
        except BackingServiceError as error:
            raise StackError(str(error)) from None

    def _app_dirs(self) -> dict[str, tuple[Path, dict[str, str]]]:
        """Each service to run: its code folder and the environment the template gives it."""
        assert self.deployment is not None
        selected: dict[str, tuple[Path, dict[str, str]]] = {}
        for name, spec in self.deployment.services.items():
            code_dir = self.functions_dir / name if self.functions_dir else spec.code_dir
            selected[name] = (code_dir, dict(spec.environment))
        if self.functions_dir and self.functions_dir.is_dir():
            for folder in sorted(self.functions_dir.iterdir()):
                if (folder / "app.py").is_file() and folder.name not in selected:
                    self.console.stack_line(
                        f"{folder.name}: not in {_display(self.template)}; started without "
                        "template parameters"
                    )
                    selected[folder.name] = (folder, {})
        if self.only_services is not None:
            unknown = self.only_services - set(selected)
            if unknown:
                raise StackError(f"no such service: {', '.join(sorted(unknown))}")
            selected = {k: v for k, v in selected.items() if k in self.only_services}
        return selected

    def _worker_environment(
        self, service: str, template_environment: Mapping[str, str], ws_port: int, http_port: int
    ) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if name in _PASSED_THROUGH or name.startswith(_PASSED_THROUGH_PREFIXES)
        }
        env.update(template_environment)
        localstack_dir = Path(__file__).resolve().parents[1]
        function = function_name(service)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.aws_endpoint or "",
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_LAMBDA_FUNCTION_NAME": function,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
                "KENEYA_LOCAL_ACCOUNT_ID": self.account_id,
                "REDIS_URL": self.redis_url or "",
                "MONGO_URL": self.mongo_url,
                "JWKS_URL": f"http://{self.host}:{http_port}{API_BASE}/auth/.well-known/jwks.json",
                "WEBSOCKET_MANAGEMENT_URL": f"http://{self.host}:{ws_port}/{service}",
                "STAGE": self.stage,
                "TZ": "UTC",
                "PYTHONPATH": os.pathsep.join(
                    [*(str(p) for p in self.layer_dirs), str(localstack_dir)]
                ),
            }
        )
        return env

    async def _start_workers(self, ws_port: int, http_port: int) -> None:
        workers = {}
        for name, (code_dir, environment) in sorted(self._app_dirs().items()):
            if not (code_dir / "app.py").is_file():
                self.failed_services[name] = f"no app.py in {code_dir}"
                self.console.stack_line(f"{name}: no app.py in {code_dir}; not started")
                continue
            workers[name] = ServiceSandboxes(
                name,
                code_dir,
                self._worker_environment(name, environment, ws_port, http_port),
                self.console,
                start_timeout=self.start_timeout,
                default_concurrency=self.concurrency,
                one_sandbox="MONGO_URL" in environment
                and self.mongo_url.startswith(IN_PROCESS_MONGO),
            )
        outcomes = await asyncio.gather(
            *(worker.start() for worker in workers.values()), return_exceptions=True
        )
        for (name, worker), outcome in zip(workers.items(), outcomes, strict=True):
            if isinstance(outcome, WorkerStartError):
                self.failed_services[name] = str(outcome)
                self.console.stack_line(str(outcome))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                self.workers[name] = worker
        if self.failed_services and self.strict:
            first = next(iter(sorted(self.failed_services.items())))
            raise StackError(f"{len(self.failed_services)} service(s) failed to start: {first[1]}")

    async def _invoke(self, service: str, handler: str, event: Any) -> Any:
        worker = self.workers.get(service)
        if worker is None:
            raise StackError(f"no running service {service!r}")
        return await worker.invoke(handler, event)

    async def _keep_house(self) -> None:
        pause = min(_HOUSEKEEPING_S, max(1.0, self.idle_sandbox_seconds / 2))
        while True:
            await asyncio.sleep(pause)
            for service in list(self.workers.values()):
                with contextlib.suppress(Exception):
                    await service.reclaim_idle(self.idle_sandbox_seconds)

    # -- stopping ------------------------------------------------------------------------

    async def _astop(self) -> None:
        self.ready = False
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        for stop in (
            self._websocket.stop if self._websocket else None,
            self._rest.stop if self._rest else None,
            self.event_sources.stop if self.event_sources else None,
        ):
            if stop is not None:
                with contextlib.suppress(Exception):
                    await stop()
        if self._arrivals is not None:
            self._arrivals.stop()
        await asyncio.gather(
            *(worker.stop() for worker in self.workers.values()), return_exceptions=True
        )
        if self._aws_clients is not None:
            self._aws_clients.close()
        if self._http_socket is not None:
            self._http_socket.close()
        if self._redis is not None:
            await asyncio.to_thread(self._redis.stop)
        if self._aws is not None:
            await asyncio.to_thread(self._aws.stop)


def _listen(host: str, port: int, option: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise StackError(f"port {port} is in use by another program; pass {option}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _since(start: float) -> str:
    return f"{time.monotonic() - start:.1f} s"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _redact(url: str) -> str:
    """A URL without its password, fit for a console line."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _account_of(deployment: Deployment) -> str | None:
    for resource in deployment.resources.values():
        for value in (resource.attributes or {}).values():
            if isinstance(value, str) and value.startswith("arn:"):
                parts = value.split(":")
                if len(parts) > 4 and parts[4].isdigit():
                    return parts[4]
    return None
