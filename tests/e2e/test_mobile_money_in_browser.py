"""End to end in a real browser: a patient pays a booked consultation on the mobile-money
sandboxes' own pages, as on `make up` — Orange Money's hosted payment page (pay, or refuse) and
Moov Money's phone prompt — and the consultation is confirmed, or not.

Headless Chromium on a phone-sized window drives the pages the local stack serves; the booking
and the payment are made through the public API, as the web app would make them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.consultations import next_slot
from tests.support.payments import PAYER_PHONE, reconcile

from .browser import artifacts_dir, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]


def by_css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def a_booking_to_pay(api: Any, payments: Any, patient: Any, doctor: Any, provider: str) -> tuple:
    booking = api.as_(patient).book(doctor, next_slot(api, doctor, timedelta(days=1)))
    assert booking.status_code == 201, booking.text
    intent = payments.as_(patient).pay_when_known(booking.json(), provider)
    return booking.json(), intent


def test_a_patient_pays_on_the_orange_money_page_and_comes_back_confirmed(
    platform, api, payments, patient, new_doctor, payment_events, phone_browser
):
    # given a booking of a doctor whose fee is 7 500 FCFA, and its Orange Money payment
    doctor = new_doctor(account=False, fee_xof=7500)
    booking, intent = a_booking_to_pay(api, payments, patient, doctor, "orange_money")
    driver = phone_browser
    # when the patient opens the payment page the API gave, types their number and pays
    driver.get(intent["next_action"]["url"])
    page = by_css(driver, "main").text
    assert "7 500 FCFA" in page and intent["id"] in page and "Keneya" in page
    by_css(driver, "#msisdn").send_keys("76 12 34 56")
    driver.save_screenshot(str(artifacts_dir() / "orange-money-sandbox-page.png"))
    by_css(driver, "button[value=pay]").click()
    # then the browser is back on Keneya's return URL
    back = f"{platform.http_url}/consultations/{booking['id']}/payment?result=paid"
    wait_until(driver, lambda: driver.current_url == back, "the return to Keneya")
    wait_until(driver, lambda: driver.title == "Keneya", "the web app")
    # and the payment succeeded, and the consultation is confirmed
    payments.as_(patient).wait_for_status(intent["id"], "succeeded")
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"], amount_xof=7500)
    api.as_(patient).wait_for_status(booking["id"], "confirmed")


def test_a_patient_confirms_the_moov_money_prompt_on_the_phone_page(
    platform, api, payments, patient, new_doctor, moov, payment_events, phone_browser
):
    booking, intent = a_booking_to_pay(
        api, payments, patient, new_doctor(account=False), "moov_money"
    )
    assert intent["next_action"]["type"] == "confirm_on_phone"
    driver = phone_browser
    # when the payer opens their phone's prompts, enters the PIN and confirms
    driver.get(f"{moov.base_url}/phone")
    by_css(driver, "#msisdn").send_keys(PAYER_PHONE)
    by_css(driver, "form button.primary").click()
    pin = wait_until(driver, lambda: by_css(driver, f"#pin-{intent['id']}"), "the prompt")
    pin.send_keys("2580")
    driver.save_screenshot(str(artifacts_dir() / "moov-money-sandbox-prompt.png"))
    # The phone may hold other prompts (earlier payments from the same number): this one's form.
    from selenium.webdriver.common.by import By

    pin.find_element(By.XPATH, "./ancestor::form//button[@value='pay']").click()
    wait_until(driver, lambda: "confirmé" in by_css(driver, "main").text, "the confirmation")
    # then the reconciler, polling Moov Money, settles it and the consultation is confirmed
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "succeeded"
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"])
    api.as_(patient).wait_for_status(booking["id"], "confirmed")


def test_a_refusal_on_the_orange_money_page_fails_the_payment_and_confirms_nothing(
    platform, api, payments, patient, new_doctor, payment_events, phone_browser
):
    booking, intent = a_booking_to_pay(
        api, payments, patient, new_doctor(account=False), "orange_money"
    )
    driver = phone_browser
    driver.get(intent["next_action"]["url"])
    by_css(driver, "button[value=refuse]").click()
    back = f"{platform.http_url}/consultations/{booking['id']}/payment?result=cancelled"
    wait_until(driver, lambda: driver.current_url == back, "the return to Keneya")
    payment_events.wait_for("payment.failed", payment_id=intent["id"])
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "failed"
    api.as_(patient).wait_for_status(booking["id"], "expired")
