"""End to end in a real browser: a doctor and a patient sign in to the web app, open the call
of a started consultation, join and see each other over WebRTC; the patient's connection drops
and the call comes back by itself; the patient switches to audio only; then hangs up.

Two headless Chromium instances with fake cameras run the app the local gateway serves
(`/consultations/<id>/call`), against the whole platform: auth, consultations, signaling and
notifications.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.consultations import Consultations
from tests.support.people import eventually

from .browser import LAPTOP, PHONE, artifacts_dir
from .call_page import (
    MEDIA_DEADLINE_S,
    PHONE_USER_AGENT,
    CallPage,
    confirmed_consultation,
    cut_signaling_socket,
    started_consultation,
)

# The browser is checked first: without one, the test skips before the platform starts.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]


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
    doctor_page.remember_call()
    cut_signaling_socket(platform, PHONE_USER_AGENT)

    # then the page reconnects and joins again, and both sides start a fresh call that flows
    doctor_page.wait_until(doctor_page.on_a_new_call, "a new call after the reconnection")
    for page in (doctor_page, patient_page):
        page.wait_until(page.call_flows, "video again", timeout=MEDIA_DEADLINE_S)
    assert patient_page.state() == "connected"

    # when the patient's network weakens and they switch to audio only
    doctor_page.remember_call()
    patient_page.click("switch-audio")

    # then a fresh call carries sound both ways and no video either way
    doctor_page.wait_until(doctor_page.on_a_new_call, "a new call in audio only")
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
    _, patient, consultation_id = confirmed_consultation(platform, aws_endpoint)
    page = CallPage(browsers(PHONE, "fr-FR"), platform.http_url, consultation_id)
    page.sign_in(patient)

    # when the patient tries to join
    page.join(audio_only=True)

    # then the app says the room is not open yet, and the join buttons stay
    page.wait_until(lambda: "pas encore ouverte" in page.text("problem"), "the reason")
    assert page.state() == "idle"
    assert page.element("join-video").is_enabled()
