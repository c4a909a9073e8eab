"""The whole consultation through the web app, in two browsers (the issue's flow 2): a patient
waits on the consultation's page; the doctor starts it and the page shows it at once; both
join (video flows, then the patient switches to audio only); the doctor completes it with a
diagnosis and a prescription; the patient's call ends saying so, the notification arrives live,
and the record shows the encounter with its diagnosis and prescription."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.consultations import Consultations
from tests.support.records import SUMMARY

from .app_screen import Screen, my_record, tap, text
from .browser import LAPTOP, PHONE
from .call_page import MEDIA_DEADLINE_S, CallPage, confirmed_consultation, start

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]


def unread_badge(driver: Any) -> int:
    count = driver.execute_script(
        "const b = document.querySelector('.tabs .badge'); return b ? b.textContent : '0'"
    )
    return int(count.rstrip("+"))


def test_a_consultation_from_the_waiting_page_to_the_record_all_in_the_app(
    platform, aws_endpoint, browsers
):
    # given a paid consultation starting in five minutes; its patient signed in on a phone, on
    # the consultation's page, and its doctor signed in on a laptop
    doctor, patient, consultation_id = confirmed_consultation(
        platform, aws_endpoint, patient_name="Mariam Traoré"
    )
    on_phone = CallPage(browsers(PHONE, "fr-FR"), platform.http_url, consultation_id)
    on_laptop = CallPage(browsers(LAPTOP, "en-GB"), platform.http_url, consultation_id)
    on_phone.sign_in(patient)
    on_laptop.sign_in(doctor)
    screen = Screen(on_phone.driver)
    on_phone.driver.get(f"{platform.http_url}/consultations/{consultation_id}")
    screen.until(lambda: "Confirmée" in text(screen), "the confirmed consultation")
    # (a quarter of an hour before its time, the page already offers the call)
    call_link = f"a[href='/consultations/{consultation_id}/call']"
    screen.until(lambda: screen.find(call_link), "the call offered")

    # when the doctor starts it
    start(platform, doctor, patient, consultation_id)

    # then the patient's page, left open, shows it in progress without a reload
    screen.until(lambda: "En cours" in text(screen), "the consultation in progress")
    screen.keep("consultation-in-progress")

    # when both join the call, the patient from that page
    tap(screen.find(call_link))
    on_phone.wait_until(lambda: on_phone.element("join-video").is_enabled(), "the call screen")
    on_laptop.join()
    on_phone.join()

    # then video flows both ways
    for page in (on_laptop, on_phone):
        page.wait_until(page.call_flows, "video both ways", timeout=MEDIA_DEADLINE_S)
    screen.keep("call")

    # when the patient's network weakens and they switch to audio only
    on_phone.click("switch-audio")

    # then the call goes on by voice
    for page in (on_laptop, on_phone):
        page.wait_until(page.sound_flows, "sound in audio only", timeout=MEDIA_DEADLINE_S)
    assert on_phone.driver.execute_script("return window.keneyaRoom.audioOnly()") is True
    screen.keep("call-audio-only")
    unread_before = unread_badge(on_phone.driver)

    # when the doctor completes the consultation with a diagnosis and a prescription
    completed = Consultations(platform).as_(doctor.person).act(consultation_id, "complete", SUMMARY)
    assert completed.status_code == 200, completed.text

    # then the patient's call ends saying why (no rejoining), and a notification arrives live
    on_phone.wait_until(
        lambda: on_phone.text("ended-text") == "Le médecin a terminé la consultation.",
        "the call closed by the completion",
    )
    assert not on_phone.driver.find_elements("id", "rejoin")
    on_phone.wait_until(lambda: unread_badge(on_phone.driver) > unread_before, "a notification")
    screen.keep("call-completed")

    # and the record shows the encounter with its diagnosis and prescription
    tap(my_record(screen))
    screen.until(lambda: "Tout mon dossier" in text(screen), "the record")
    tap(screen.find("main a[href='/record/encounters']"))
    screen.until(lambda: "Paludisme, sans précision" in text(screen), "the encounter", 30)
    shown = text(screen)
    assert "Artéméther-luméfantrine 20/120 mg" in shown
    assert "2 fois par jour" in shown
    assert "B54" in shown
    screen.keep("record-encounter")


def test_a_patient_reads_their_notifications_marks_them_read_and_chooses_channels(
    platform, aws_endpoint, phone_browser
):
    import requests

    from tests.support.auth import STRONG_PASSWORD, national

    from .app_screen import sign_in

    # given a patient whose consultation was booked and paid: the platform told them so
    _, patient, _ = confirmed_consultation(platform, aws_endpoint, patient_name="Awa Keïta")
    screen = sign_in(phone_browser, platform.http_url, national(patient.phone), STRONG_PASSWORD)
    screen.until(lambda: unread_badge(phone_browser) > 0, "the unread badge")

    # when they open their notifications
    tap(screen.find("a[href='/notifications']"))
    screen.until(lambda: screen.find(".notice[data-read=no]"), "an unread notification")
    screen.until(lambda: "À jour en direct" in text(screen), "the live inbox")
    screen.keep("notifications")

    # and mark them all read
    tap(screen.button("Tout marquer comme lu"))

    # then nothing is unread, here and for the API
    screen.until(lambda: unread_badge(phone_browser) == 0, "the badge gone")
    assert not phone_browser.find_elements("css selector", ".notice[data-read=no]")
    headers = {"Authorization": f"Bearer {patient.person.token}"}
    unread = platform.url("notifications", "/unread-count")
    assert requests.get(unread, headers=headers, timeout=30).json()["unread"] == 0

    # when they turn off SMS for payments and save
    sms = screen.find("input[name='payments.sms']")
    assert sms.is_selected()
    tap(sms)
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "Enregistré." in text(screen), "the saved preferences")
    screen.keep("notifications-preferences")

    # then the platform will not text them about payments, and security stays locked on
    saved = requests.get(platform.url("notifications", "/preferences"), headers=headers, timeout=30)
    assert saved.json()["categories"]["payments"]["sms"] is False
    assert not screen.find("input[name='security.sms']").is_enabled()
