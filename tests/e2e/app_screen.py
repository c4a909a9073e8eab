"""The web app as a person on a phone sees it: a browser at phone size, a verified doctor to book,
a screen to read and drive, kept as a screenshot and checked with axe-core at each step."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.auth import Api as AuthApi
from tests.support.auth import new_phone
from tests.support.consultations import EVERY_DAY, sign_up_admin
from tests.support.people import Person, eventually

from .browser import PHONE, artifacts_dir, open_browser, require_browser, wait_until

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DOCTOR = "Dr Ramata Sissoko"


def picture_png(side: int = 16) -> bytes:
    """A real PNG the browser can show (a green square, stored uncompressed so that it is
    over the smallest size the users service takes for a photo)."""
    rows = b"".join(b"\x00" + b"\x0b\x5d\x4b" * side for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


PHOTO = picture_png()


@pytest.fixture
def phone_browser() -> Iterator[Any]:
    require_browser()
    driver = open_browser(PHONE, "fr")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def verified_doctor(platform: Any, aws_endpoint: str) -> dict[str, str]:
    """A doctor the users service has verified, with a schedule every day of the week: their
    id, name, access token (to call the API as them) and phone (to sign in to the app, with
    STRONG_PASSWORD)."""
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="doctor", full_name=DOCTOR, phone=phone)
    doctor = Person(account["user_id"], "doctor", auth.login(phone=phone)["access_token"], DOCTOR)
    headers = {"Authorization": f"Bearer {doctor.token}"}

    def call(method: str, path: str, body: Any, token_headers: dict[str, str]) -> Any:
        return requests.request(
            method, platform.url("users", path), json=body, headers=token_headers, timeout=30
        )

    profile = {
        "specialty": "general-practice",
        "languages": ["fr", "bm"],
        "licence_number": "CNOM-ML-20001",
        "city": "Ségou",
        "facility": "Centre de santé de Ségou",
        "fee_xof": 4000,
    }
    assert eventually(lambda: call("PATCH", "/me", profile, headers).ok, timeout=20)
    # A photo, as the doctor's profile screen will send it: a form from the API, the file to S3.
    form = call("POST", "/me/photo", {"content_type": "image/png", "size": len(PHOTO)}, headers)
    assert form.status_code == 201, form.text
    sent = requests.post(
        form.json()["url"],
        data=form.json()["fields"],
        files={"file": ("photo.png", PHOTO, "image/png")},
        timeout=30,
    )
    assert sent.ok, sent.text
    confirmed = call("PUT", "/me/photo", {"upload_id": form.json()["upload_id"]}, headers)
    assert confirmed.ok, confirmed.text
    weekly = {"slot_minutes": 30, "weekly": EVERY_DAY}
    assert call("PUT", "/me/availability", weekly, headers).ok
    admin = sign_up_admin(platform, aws_endpoint)
    verified = call(
        "POST",
        f"/admin/doctors/{doctor.user_id}/verify",
        None,
        {"Authorization": f"Bearer {admin.token}"},
    )
    assert verified.ok, verified.text
    slots = platform.url("consultations", f"/slots?doctor_id={doctor.user_id}")
    assert eventually(lambda: requests.get(slots, timeout=30).ok, timeout=20)
    return {"id": doctor.user_id, "name": DOCTOR, "token": doctor.token, "phone": phone}


class Screen:
    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def find(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def until(self, check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
        return wait_until(self.driver, check, what, timeout)

    def button(self, text: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.XPATH, f"//button[normalize-space()={_literal(text)}]")

    def field(self, label: str) -> Any:
        from selenium.webdriver.common.by import By

        found = self.driver.find_element(By.XPATH, f"//label[normalize-space()={_literal(label)}]")
        return self.driver.find_element(By.ID, found.get_attribute("for"))

    def keep(self, name: str) -> None:
        """A screenshot for people, and an axe check: no serious or critical violation."""
        self.driver.save_screenshot(str(artifacts_dir() / f"app-{name}.png"))
        self.driver.execute_script(AXE.read_text())
        found = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then((r) => done(r.violations.map((v) => [v.id, v.impact, v.nodes.length])),"
            " (e) => done([['axe failed', String(e), 0]]));"
        )
        serious = [v for v in found if v[1] in ("serious", "critical", "axe failed")]
        assert not serious, f"{name}: {serious}"
        too_wide = self.driver.execute_script(LARGE_TEXT_CHECK)
        assert not too_wide, f"{name} at 200% text size, wider than the screen: {too_wide}"


# The person's text size doubled (the browser's font-size setting, which the app's rem units
# follow): nothing may stick out of the screen sideways; then the text size is put back.
LARGE_TEXT_CHECK = """
const root = document.documentElement;
const before = root.style.fontSize;
root.style.fontSize = '200%';
const width = root.clientWidth;
const wide = [...document.querySelectorAll('body *')]
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 1
    && !e.closest('video'))
  .map((e) => `${e.tagName.toLowerCase()}.${e.className}: `
    + (e.textContent || '').trim().slice(0, 40));
const scrolls = root.scrollWidth > width + 1;
root.style.fontSize = before;
const found = wide.slice(0, 5).concat(scrolls ? ['(the page scrolls sideways)'] : []);
return found.length ? found : null;
"""


def _literal(text: str) -> str:
    """`text` as an XPath string literal, whichever quotes it holds ("Jusqu'au")."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = ', "\'", '.join(f"'{part}'" for part in text.split("'"))
    return f"concat({parts})"


def sign_in(driver: Any, base_url: str, national_phone: str, password: str) -> Screen:
    """The app signed in as this person, on the doctors' list."""
    screen = Screen(driver)
    driver.get(f"{base_url}/sign-in")
    screen.until(lambda: screen.field("Numéro de téléphone"), "the sign-in form")
    screen.field("Numéro de téléphone").send_keys(national_phone)
    screen.field("Mot de passe").send_keys(password)
    driver.find_element("css selector", "form button.primary").click()
    screen.until(lambda: "/sign-in" not in driver.current_url, "signed in")
    return screen


def text(screen: Screen) -> str:
    return screen.find("main").text


def my_record(screen: Screen):
    """The app's own link to My record (in its navigation, outside the screen)."""
    return screen.driver.find_element("xpath", "//a[@href='/record' and not(ancestor::main)]")


def open_section(screen: Screen, href: str, heading: str) -> None:
    """From anywhere in the app: My record in the navigation, then the section's card."""
    my_record(screen).click()
    screen.until(lambda: "Tout mon dossier" in text(screen), "the record's summary")
    tap(screen.find(f"main a[href='{href}']"))
    screen.until(lambda: screen.find("main h1").text == heading, f"the {href} screen")
    screen.until(
        lambda: not screen.driver.find_elements("css selector", "main .loading"),
        f"the {href} screen loaded",
    )


def tap(element) -> None:
    """Click `element` once scrolled to the middle of the screen (not under the tab bar)."""
    element.parent.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
