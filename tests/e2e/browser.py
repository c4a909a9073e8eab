"""Headless Chromium, driven by selenium, for the tests that need a real browser (WebRTC).

Chromium and its driver come from the system (`apt-get install chromium chromium-driver`);
selenium is never allowed to download a driver. Without them the tests skip, except in CI
(`CI` set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KENEYA_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KENEYA_CHROMEDRIVER", "/usr/bin/chromedriver"))
# A camera and a microphone that exist without hardware, granted without a prompt.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-first-run",
    "--mute-audio",
)
PHONE = (412, 915)
LAPTOP = (1280, 860)


def require_browser() -> None:
    """Skip the test (fail it in CI) when Chromium, its driver or selenium is missing."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if not missing:
        return
    reason = (
        f"no browser to drive: {', '.join(missing)} missing "
        "(apt-get install chromium chromium-driver; pip install -r requirements-dev.txt)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def open_browser(window: tuple[int, int], language: str, user_agent: str | None = None) -> Any:
    """A fresh headless Chromium (its own profile) with `window` size and UI `language`."""
    # Selenium must neither phone home nor look for a driver to download.
    os.environ.setdefault("SE_AVOID_STATS", "true")
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.add_argument(f"--lang={language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if user_agent:
        options.add_argument(f"--user-agent={user_agent}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def browser_log(driver: Any) -> str:
    """What the page wrote to its console, for a failure's message."""
    try:
        entries = driver.get_log("browser")
    except Exception as error:  # a dead browser must not hide the test's own failure
        return f"(no console log: {error})"
    return "\n".join(f"{entry['level']} {entry['message']}" for entry in entries[-40:])


def artifacts_dir() -> Path:
    """Where tests leave files for people to look at (`KENEYA_ARTIFACTS_DIR`)."""
    path = Path(os.environ.get("KENEYA_ARTIFACTS_DIR") or ROOT / "build" / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_until(driver: Any, check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """`check()`'s first truthy result; an element that is not there yet, or belongs to the page
    the browser is leaving, counts as not yet."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (NoSuchElementException, StaleElementReferenceException):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: not within {timeout} s; at {driver.current_url}\n{browser_log(driver)}"
            )
        time.sleep(0.1)
