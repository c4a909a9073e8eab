"""The API references, as a client developer opens them in a browser: Swagger UI lists every
operation of the merged OpenAPI document, AsyncAPI's renderer shows both WebSocket APIs and the
events, and neither page loads anything from another origin."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from .browser import LAPTOP, artifacts_dir, browser_log, open_browser, require_browser

pytestmark = pytest.mark.slow


@pytest.fixture
def browser() -> Iterator[Any]:
    require_browser()
    driver = open_browser(LAPTOP, "en")
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, script: str, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = driver.execute_script(script)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s\n{browser_log(driver)}")
        time.sleep(0.2)


def origins_loaded(driver: Any) -> set[str]:
    urls = driver.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => entry.name)"
    )
    return {f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in urls}


def test_the_rest_reference_lists_every_operation(platform, browser):
    document = requests.get(f"{platform.http_url}/api/v1/openapi.json", timeout=30).json()
    operations = sum(len(methods) for methods in document["paths"].values())

    browser.get(f"{platform.http_url}/api/v1/docs")

    shown = wait_for(
        browser,
        "const n = document.querySelectorAll('.opblock').length; return n > 0 ? n : null",
        "the operations",
    )
    assert shown == operations
    assert wait_for(browser, "return document.querySelector('.btn.authorize')", "Authorize")
    assert origins_loaded(browser) <= {platform.http_url}
    browser.save_screenshot(str(artifacts_dir() / "api-docs-rest.png"))


def test_the_websocket_and_events_reference_shows_both_sockets_and_the_events(platform, browser):
    browser.get(f"{platform.http_url}/api/v1/docs/asyncapi")

    text = wait_for(
        browser,
        "const t = document.getElementById('asyncapi').innerText;"
        "return t.includes('ice_candidate') && t.includes('consultation.completed') ? t : null",
        "the channels and messages",
    )
    assert "/signaling" in text and "/notifications" in text
    assert origins_loaded(browser) <= {platform.http_url}
    browser.save_screenshot(str(artifacts_dir() / "api-docs-asyncapi.png"))
