"""A WebSocket gateway on a free port whose functions are the fixture app's Chalice handlers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import boto3
import pytest

from keneya_local.websocket_gateway import WebSocketGateway

from .websocket_harness import SERVICE, InProcessFunctions, RunningGateway, load_fixture_app


@pytest.fixture
def running_gateway() -> Iterator[RunningGateway]:
    app = load_fixture_app()
    functions = InProcessFunctions(app)
    websocket = {route: config.name for route, config in app.websocket_handlers.items()}
    describe = {
        SERVICE: {"websocket": {**websocket, "shout": "shout", "vanish": "gone"}},
        "plain": {"websocket": {"$connect": None, "$default": None, "$disconnect": None}},
    }
    gateway = WebSocketGateway(functions.invoke, describe, "127.0.0.1", 0)

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(gateway.start(), loop).result(timeout=10)
    # What the service worker does at start-up: send through the local management API.
    app.websocket_api.session = boto3.session.Session(region_name="us-east-1")
    app.websocket_api._endpoint = gateway.management_url(SERVICE)
    running = RunningGateway(gateway, functions, loop)
    try:
        yield running
    finally:
        running.stop()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
