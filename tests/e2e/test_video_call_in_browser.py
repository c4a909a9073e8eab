"""End to end in a real browser: a doctor and a patient sign in to the web app, open the call
of a started consultation, join and see each other over WebRTC; the patient's connection drops
and the call comes back by itself; the patient switches to audio only; then hangs up.

Two headless Chromium instances with fake cameras run the app the local gateway serves
(`/consultations/<id>/call`), against the whole platform: auth, consultations, signaling and
notifications.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from tests.auth.over_http import STRONG_PASSWORD, national, new_phone
from tests.auth.over_http import Api as AuthApi
from tests.consultations.over_http import (
    Consultations,
    Person,
    Table,
    Topic,
    eventually,
    next_slot,
)

from .browser import LAPTOP, PHONE, artifacts_dir, browser_log, open_browser, require_browser

# The browser is checked first: without one, the test skips before the platform starts.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]

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


def started_consultation(platform: Any, aws_endpoint: str) -> tuple[Member, Member, str]:
    """A video consultation the doctor has started, its room open; (doctor, patient, id)."""
    auth = AuthApi(platform.url("auth"))
    doctor = member(auth, "doctor", DOCTOR_NAME)
    patient = member(auth, "patient", "Kadiatou Diarra")
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
    started = consultations.as_(doctor.person).act(consultation_id, "start")
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
        self.wait_until(lambda: "/doctors" in self.driver.current_url, "signed in")
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


def test_doctor_and_patient_see_each_other_in_the_room_until_one_hangs_up(
    platform, aws_endpoint, browsers
):
    # given a started consultation, its doctor on a laptop in English and its patient on a
    # phone in French
    doctor, patient, consultation_id = started_consultation(platform, aws_endpoint)
    doctor_page = CallPage(browsers(LAPTOP, "en-GB"), platform.http_url, consultation_id)
    patient_page = CallPage(
        browsers(PHONE, "fr-FR", PHONE_USER_AGENT), platform.http_url, consultation_id
    )

    # when both sign in and open the call, and the doctor joins first
    doctor_page.sign_in(doctor)
    patient_page.sign_in(patient)
    doctor_page.join()
    doctor_page.wait_until(lambda: doctor_page.state() == "waiting", "the doctor waiting")

    # then the patient is told live, in the app, that the doctor came into the call
    patient_page.wait_until(
        lambda: patient_page.driver.execute_script(
            "const t = document.querySelector('.toast strong'); return t && t.textContent"
        ),
        "an in-app notification",
    )
    assert patient_page.driver.execute_script("return document.querySelector('.tabs .badge')")

    # when the patient joins too
    patient_page.join()

    # then both peer connections connect and each side decodes the other's video
    for page in (doctor_page, patient_page):
        page.wait_until(page.call_flows, "video both ways", timeout=MEDIA_DEADLINE_S)
    assert doctor_page.text("state") == "In the call."
    assert patient_page.text("state") == "En communication."
    assert doctor_page.text("peer") == "The patient is here."
    assert patient_page.text("peer") == "Le médecin est là."
    patient_page.wait_until(lambda: "En cours" in patient_page.text("consultation"), "in progress")
    patient_page.wait_until(
        lambda: (
            patient_page.driver.execute_script("return window.keneyaRoom.quality()")
            in ("good", "fair")
        ),
        "the connection's quality measured",
    )
    assert "Qualité de la connexion" in patient_page.text("quality")
    shots = {"app-call": doctor_page, "app-call-phone": patient_page}
    for name, page in shots.items():
        screenshot = artifacts_dir() / f"{name}.png"
        page.driver.execute_script("window.scrollTo(0, 0)")
        assert page.driver.save_screenshot(str(screenshot))
        print(f"call screenshot: {screenshot}")

    # when the patient's phone loses its signaling connection
    doctor_page.driver.execute_script("window.firstCall = window.keneyaRoom.peerConnection()")
    cut_signaling_socket(platform, PHONE_USER_AGENT)

    # then the page reconnects and joins again, and both sides start a fresh call that flows
    doctor_page.wait_until(
        lambda: doctor_page.driver.execute_script(
            "const pc = window.keneyaRoom.peerConnection();"
            "return pc !== null && pc !== window.firstCall;"
        ),
        "a new call after the reconnection",
    )
    for page in (doctor_page, patient_page):
        page.wait_until(page.call_flows, "video again", timeout=MEDIA_DEADLINE_S)
    assert patient_page.state() == "connected"

    # when the patient's network weakens and they switch to audio only
    doctor_page.driver.execute_script("window.videoCall = window.keneyaRoom.peerConnection()")
    patient_page.click("switch-audio")

    # then a fresh call carries sound both ways and no video either way
    doctor_page.wait_until(
        lambda: doctor_page.driver.execute_script(
            "const pc = window.keneyaRoom.peerConnection();"
            "return pc !== null && pc !== window.videoCall;"
        ),
        "a new call in audio only",
    )
    for page in (doctor_page, patient_page):
        page.wait_until(page.sound_flows, "sound in audio only", timeout=MEDIA_DEADLINE_S)
    time.sleep(2)
    assert patient_page.stats()["inboundVideoFramesDecoded"] == 0
    assert patient_page.stats()["outboundVideoFramesEncoded"] == 0
    assert patient_page.driver.execute_script("return window.keneyaRoom.audioOnly()") is True
    assert "Appel en audio seul." in patient_page.text("app")
    patient_page.driver.save_screenshot(str(artifacts_dir() / "app-call-audio-only.png"))

    # when the patient hangs up
    patient_page.click("hangup")

    # then the patient's call has ended, and the doctor sees the patient leave
    patient_page.wait_until(lambda: patient_page.state() == "ended", "the patient's call ending")
    assert patient_page.text("state") == "Appel terminé."
    assert patient_page.element("rejoin").is_displayed()
    doctor_page.wait_until(lambda: doctor_page.presence() == "left", "the doctor seeing it")
    assert doctor_page.text("peer") == "The patient left the call."
    assert doctor_page.state() == "waiting"
    assert doctor_page.driver.execute_script("return window.keneyaRoom.peerConnection()") is None

    # and the consultation's history shows when each side was in the call: the patient until
    # the hang-up (after a dropped connection, when it was heard before the new one came), the
    # doctor still there
    history = Consultations(platform, doctor.person)

    def attendance() -> dict[str, Any] | None:
        call = history.get(consultation_id).json()["call"]
        reasons = [session["reason"] for session in call["patient"]["sessions"]]
        # The dropped connection and the switch to audio only each end a session, when they
        # were heard before the next one came.
        return call if reasons and reasons[-1] == "left" else None

    call = eventually(attendance, timeout=30)
    assert call["patient"]["seconds"] == sum(s["seconds"] for s in call["patient"]["sessions"])
    assert [s["left_at"] for s in call["doctor"]["sessions"]] == [None]


def test_a_call_forced_through_the_turn_server_flows_with_the_credentials_handed_out(
    platform, aws_endpoint, browsers, turn_server
):
    # given a started consultation, and both browsers told to send media only through TURN
    doctor, patient, consultation_id = started_consultation(platform, aws_endpoint)
    pages = [
        CallPage(browsers(size, "fr-FR"), platform.http_url, consultation_id, "?relay=1")
        for size in (LAPTOP, PHONE)
    ]

    # when both join
    for page, who in zip(pages, (doctor, patient), strict=True):
        page.sign_in(who)
        page.join()

    # then the call flows both ways through relays that coturn allocated with the service's
    # time-limited credentials
    for page in pages:
        page.wait_until(page.call_flows, "video through the TURN server", timeout=MEDIA_DEADLINE_S)
        assert page.stats()["localCandidateType"] == "relay"


def test_an_access_token_about_to_expire_is_renewed_before_joining(
    platform, aws_endpoint, browsers
):
    # given a patient at the call in the app, whose access token is about to expire (the page's
    # clock moved 14.5 minutes on: access tokens live 15)
    _, patient, consultation_id = started_consultation(platform, aws_endpoint)
    page = CallPage(browsers(PHONE, "fr-FR"), platform.http_url, consultation_id)
    page.sign_in(patient)
    first = page.driver.execute_script("return sessionStorage.getItem('keneya.refresh')")
    page.driver.execute_script(
        "const realNow = Date.now; Date.now = () => realNow() + 14.5 * 60 * 1000;"
    )

    # when the patient joins the call
    page.join()

    # then the app exchanged its refresh token for a new access token, and joined with it
    page.wait_until(lambda: page.state() == "waiting", "the patient waiting for the doctor")
    renewed = page.driver.execute_script("return sessionStorage.getItem('keneya.refresh')")
    assert renewed and renewed != first


def test_a_call_not_open_yet_says_so_and_lets_the_person_try_again(
    platform, aws_endpoint, browsers
):
    # given a confirmed consultation its doctor has not started
    auth = AuthApi(platform.url("auth"))
    doctor = member(auth, "doctor", DOCTOR_NAME)
    patient = member(auth, "patient", "Aïssata Coulibaly")
    environment = platform.deployment.services["consultations"].environment
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    Topic(sns, environment["EVENTS_TOPIC_ARN"]).doctor_bookable(doctor.person)
    consultations = Consultations(platform)
    assert eventually(lambda: consultations.slots(doctor.person).status_code == 200, timeout=20)
    slot = next_slot(consultations, doctor.person, timedelta(days=1))
    booking = consultations.as_(patient.person).book(doctor.person, slot).json()
    page = CallPage(browsers(PHONE, "fr-FR"), platform.http_url, booking["id"])
    page.sign_in(patient)

    # when the patient tries to join
    page.join(audio_only=True)

    # then the app says the room is not open yet, and the join buttons stay
    page.wait_until(lambda: "pas encore ouverte" in page.text("problem"), "the reason")
    assert page.state() == "idle"
    assert page.element("join-video").is_enabled()
