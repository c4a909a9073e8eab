"""A consultation's call as the browser tests play it: its doctor and patient with what they
type to sign in, a paid consultation starting in five minutes, its start, and the app's call
screen in one browser (`CallPage`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from tests.support.auth import STRONG_PASSWORD, national, new_phone
from tests.support.auth import Api as AuthApi
from tests.support.consultations import Consultations, Table, Topic, next_slot
from tests.support.people import Person, eventually

from .browser import browser_log, open_browser, require_browser

DOCTOR_NAME = "Dr Oumar Sidibé"
MEDIA_DEADLINE_S = 30
# The patient's phone, told apart from the doctor's browser by the gateway.
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; TECNO KJ5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Member:
    """A person with what they type on the sign-in form."""

    person: Person
    phone: str
    password: str


def member(auth: AuthApi, role: str, full_name: str) -> Member:
    phone = new_phone()
    account = auth.register(role=role, full_name=full_name, phone=phone)
    grant = auth.login(phone=phone)
    person = Person(account["user_id"], role, grant["access_token"], full_name)
    return Member(person, phone, STRONG_PASSWORD)


def confirmed_consultation(
    platform: Any, aws_endpoint: str, patient_name: str = "Kadiatou Diarra"
) -> tuple[Member, Member, str]:
    """A paid video consultation starting in five minutes, so its doctor may start it now;
    (doctor, patient, id)."""
    auth = AuthApi(platform.url("auth"))
    doctor = member(auth, "doctor", DOCTOR_NAME)
    patient = member(auth, "patient", patient_name)
    environment = platform.deployment.services["consultations"].environment
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    topic = Topic(sns, environment["EVENTS_TOPIC_ARN"])
    topic.doctor_bookable(doctor.person)
    consultations = Consultations(platform)
    assert eventually(lambda: consultations.slots(doctor.person).status_code == 200, timeout=20)
    slot = next_slot(consultations, doctor.person, timedelta(days=1))
    booking = consultations.as_(patient.person).book(doctor.person, slot)
    assert booking.status_code == 201, booking.text
    consultation_id = booking.json()["id"]
    topic.payment("succeeded", booking.json())
    consultations.as_(patient.person).wait_for_status(consultation_id, "confirmed")
    dynamodb = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    Table(dynamodb.Table(environment["TABLE_NAME"])).move_start(
        consultation_id, datetime.now(UTC) + timedelta(minutes=5)
    )
    return doctor, patient, consultation_id


def start(platform: Any, doctor: Member, patient: Member, consultation_id: str) -> None:
    """The doctor starts the consultation, and its room opens."""
    started = Consultations(platform).as_(doctor.person).act(consultation_id, "start")
    assert started.status_code == 200, started.text

    # The signaling service opens the room when it consumes `consultation.started`.
    def room_open() -> bool:
        response = requests.get(
            platform.url("signaling", "/ice-servers"),
            params={"consultation_id": consultation_id},
            headers={"Authorization": f"Bearer {patient.person.token}"},
            timeout=30,
        )
        return response.status_code == 200

    assert eventually(room_open, timeout=30, interval=0.2), "the room never opened"


def started_consultation(platform: Any, aws_endpoint: str) -> tuple[Member, Member, str]:
    """A video consultation the doctor has started, its room open; (doctor, patient, id)."""
    doctor, patient, consultation_id = confirmed_consultation(platform, aws_endpoint)
    start(platform, doctor, patient, consultation_id)
    return doctor, patient, consultation_id


def cut_signaling_socket(platform: Any, user_agent: str) -> None:
    """Close a browser's signaling socket from the gateway's side, as when a phone changes
    network: through the management API (`DELETE @connections/{id}`), the id found in the
    running gateway's table of open sockets."""
    gateway = platform._websocket

    def connection_ids() -> list[str]:
        return [
            connection.id
            for connection in list(gateway.connections.values())
            if connection.service == "signaling" and connection.user_agent == user_agent
        ]

    ids = eventually(connection_ids, timeout=5)
    assert len(ids) == 1, ids
    management = platform.ws_url.replace("ws://", "http://", 1)
    response = requests.delete(f"{management}/signaling/@connections/{ids[0]}", timeout=5)
    assert response.status_code in (200, 204), response.text


class CallPage:
    """A consultation's call in the app, in one browser, as its user sees and drives it."""

    def __init__(self, driver: Any, base_url: str, consultation_id: str, query: str = "") -> None:
        self.driver = driver
        self.base_url = base_url
        self.url = f"{base_url}/consultations/{consultation_id}/call{query}"

    def element(self, element_id: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.ID, element_id)

    def text(self, element_id: str) -> str:
        from selenium.common.exceptions import NoSuchElementException

        try:
            return self.element(element_id).text
        except NoSuchElementException:
            return ""

    def wait_until(self, check: Callable[[], Any], what: str, timeout: float = 15) -> Any:
        from selenium.common.exceptions import WebDriverException

        deadline = time.monotonic() + timeout
        while True:
            try:
                result = check()
            except WebDriverException:
                result = None  # the element is not there yet, or was just redrawn
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: not within {timeout}s; state {self.state()!r}, page says "
                    f"{self.text('state')!r} / {self.text('peer')!r} / "
                    f"{self.text('problem')!r}\n{browser_log(self.driver)}"
                )
            time.sleep(0.1)

    def sign_in(self, who: Member) -> None:
        """Signed in on the app's form, then at the consultation's call."""
        from selenium.webdriver.common.by import By

        self.driver.get(f"{self.base_url}/sign-in")
        self.wait_until(lambda: self.driver.find_element(By.NAME, "phone"), "the sign-in form")
        self.driver.find_element(By.NAME, "phone").send_keys(national(who.phone))
        self.driver.find_element(By.NAME, "password").send_keys(who.password)
        self.driver.find_element(By.CSS_SELECTOR, "form button.primary").click()
        self.wait_until(lambda: "/sign-in" not in self.driver.current_url, "signed in")
        self.driver.get(self.url)
        self.wait_until(lambda: DOCTOR_NAME in self.text("consultation"), "the consultation")

    def click(self, element_id: str) -> None:
        """As a thumb does: the button scrolled clear of the tab bar, then tapped."""
        button = self.element(element_id)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def join(self, audio_only: bool = False) -> None:
        button = "join-audio" if audio_only else "join-video"
        self.wait_until(lambda: self.element(button).is_enabled(), "the join button")
        self.click(button)

    def remember_call(self) -> None:
        """Note the peer connection now, to see a fresh one replace it."""
        self.driver.execute_script("window.previousCall = window.keneyaRoom.peerConnection()")

    def on_a_new_call(self) -> bool:
        return self.driver.execute_script(
            "const pc = window.keneyaRoom.peerConnection();"
            "return pc !== null && pc !== window.previousCall;"
        )

    def state(self) -> str:
        return self.driver.execute_script("return window.keneyaRoom && window.keneyaRoom.state()")

    def presence(self) -> str:
        return self.driver.execute_script("return window.keneyaRoom.presence()")

    def call_flows(self) -> bool:
        stats = self.stats()
        return (
            stats["connectionState"] == "connected"
            and stats["inboundVideoFramesDecoded"] > 0
            and stats["outboundVideoFramesEncoded"] > 0
        )

    def sound_flows(self) -> bool:
        stats = self.stats()
        return stats["connectionState"] == "connected" and stats["inboundAudioPackets"] > 0

    def stats(self) -> dict[str, Any]:
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.keneyaRoom.stats().then(done, (error) => done({error: String(error)}));"
        )


@pytest.fixture(scope="session")
def chromium() -> None:
    require_browser()


@pytest.fixture
def browsers(chromium: None) -> Iterator[Callable[..., Any]]:
    opened: list[Any] = []

    def open_one(window: tuple[int, int], language: str, user_agent: str | None = None) -> Any:
        driver = open_browser(window, language, user_agent)
        opened.append(driver)
        return driver

    try:
        yield open_one
    finally:
        for driver in opened:
            driver.quit()
