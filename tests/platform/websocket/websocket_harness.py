"""The pieces around a WebSocket gateway under test: in-process functions and the gateway."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from chalice import Chalice

from keneya_local.errors import FunctionError
from keneya_local.websocket_gateway import WebSocketGateway

SERVICE = "chat"


def load_fixture_app() -> Chalice:
    # Loaded under its own name: other test folders may have a module called fixture_app too.
    spec = importlib.util.spec_from_file_location(
        "websocket_fixture_app", Path(__file__).with_name("fixture_app.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


@dataclass
class Call:
    handler: str
    event: dict[str, Any]
    error: str | None


class InProcessFunctions:
    """Runs the fixture app's handlers as the service worker does: one at a time, off the loop
    (a handler calling the management API must not block the gateway that answers it)."""

    def __init__(self, app: Chalice) -> None:
        self.app = app
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    async def invoke(self, service: str, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        assert service == SERVICE
        return await asyncio.to_thread(self._run, handler, event)

    def _run(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        if handler not in self.app.handler_map:
            raise ConnectionError(f"no function {handler}: like a worker that is gone")
        with self._lock:
            try:
                result = self.app.handler_map[handler](event, None)
            except Exception as error:
                self.calls.append(Call(handler, event, repr(error)))
                raise FunctionError(
                    type(error).__name__, str(error), traceback.format_exception(error)
                ) from error
            self.calls.append(Call(handler, event, None))
            return result

    def events(self, handler: str) -> list[dict[str, Any]]:
        return [call.event for call in self.calls if call.handler == handler]

    def wait_for(self, handler: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events(handler)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{handler} was invoked {len(self.events(handler))} times")
            time.sleep(0.01)
        return self.events(handler)


@dataclass
class RunningGateway:
    gateway: WebSocketGateway
    functions: InProcessFunctions
    loop: asyncio.AbstractEventLoop

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.gateway.stop(), self.loop).result(timeout=10)

    @property
    def url(self) -> str:
        return self.gateway.websocket_url(SERVICE)

    @property
    def management_url(self) -> str:
        return self.gateway.management_url(SERVICE)

    def management_client(self) -> Any:
        return boto3.client(
            "apigatewaymanagementapi", endpoint_url=self.management_url, region_name="us-east-1"
        )
