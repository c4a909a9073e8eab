"""The web app in a real browser, as a patient on a phone uses it: sign up with the code from
the message catcher, find a verified doctor, choose a slot in Bamako time, book, pay on the Orange
Money sandbox's page, come back, and see the consultation confirmed without reloading. Every
screen is left as a phone-size screenshot in build/artifacts/ and checked with axe-core."""

from __future__ import annotations

import re

import pytest

from tests.support.auth import STRONG_PASSWORD, national, new_phone

from .app_screen import DOCTOR, Screen, sign_in, tap
from .browser import artifacts_dir
from .test_sign_up import sms_to

pytestmark = pytest.mark.slow


def test_a_new_patient_signs_up_books_pays_and_sees_the_consultation_confirmed(
    platform, phone_browser, verified_doctor
):
    screen = Screen(phone_browser)
    phone = new_phone()
    # given the app's welcome page
    phone_browser.get(f"{platform.http_url}/")
    screen.until(lambda: screen.button("Créer un compte"), "the welcome page")
    screen.keep("welcome")
    # when the patient signs up with the code the platform texted them
    tap(screen.button("Créer un compte"))
    screen.field("Nom complet").send_keys("Assitan Coulibaly")
    screen.field("Numéro de téléphone").send_keys(national(phone))
    screen.field("Mot de passe").send_keys(STRONG_PASSWORD)
    screen.keep("sign-up")
    tap(screen.button("Créer un compte"))
    screen.until(lambda: screen.field("Code reçu par SMS"), "the code field")
    code = re.search(r"\b(\d{6})\b", sms_to(platform, phone)[0]).group(1)
    screen.field("Code reçu par SMS").send_keys(code)
    screen.keep("verify-code")
    tap(screen.button("Vérifier"))
    # then they can find the verified doctor and open their page
    screen.until(lambda: DOCTOR in screen.find("main").text, "the doctor in the directory")
    screen.keep("doctors")
    # and narrow the search: a fee ceiling under the doctor's fee leaves them out
    from selenium.webdriver.support.select import Select

    tap(screen.find(".filters summary"))
    Select(screen.find("#filter-specialty")).select_by_value("general-practice")
    Select(screen.find("#filter-language")).select_by_value("bm")
    screen.field("Ville").send_keys("Ségou")
    Select(screen.find("#filter-fee_max")).select_by_value("3000")
    screen.keep("doctors-filters")
    tap(screen.button("Rechercher"))
    screen.until(lambda: "Aucun médecin ne correspond." in screen.find("main").text, "none")
    Select(screen.find("#filter-fee_max")).select_by_value("5000")
    tap(screen.button("Rechercher"))
    screen.until(lambda: DOCTOR in screen.find("main").text, "the doctor under 5 000 FCFA")
    assert "Filtres (4)" in screen.find(".filters summary").text
    tap(screen.find(f"a[href='/doctors/{verified_doctor['id']}']"))
    screen.until(
        lambda: (
            "4\u00a0000\u00a0FCFA" in screen.find("main").text
            or "4 000 FCFA" in screen.find("main").text
        ),
        "the doctor's fee",
    )
    # with their photo, languages and facility
    photo = screen.until(lambda: screen.find("img.photo"), "the doctor's photo")
    screen.until(
        lambda: phone_browser.execute_script("return arguments[0].naturalWidth", photo) == 16,
        "the photo shown (through its presigned link, which the page's policy allows)",
    )
    assert "Bambara" in screen.find("main").text or "Bamanankan" in screen.find("main").text
    assert "Centre de santé de Ségou" in screen.find("main").text
    # and book the first free slot
    tap(screen.until(lambda: screen.find(".slot input"), "the free slots"))
    screen.field("Motif de la consultation").send_keys("Toux et fièvre depuis trois jours")
    screen.keep("doctor")
    tap(screen.button("Réserver"))
    screen.until(lambda: "En attente de paiement" in screen.find("main").text, "the booking")
    screen.until(lambda: "Payez dans les" in screen.find("main").text, "the countdown")
    screen.keep("payment")
    # when they pay on Orange Money's page
    tap(screen.button("Orange Money"))
    screen.until(lambda: "_sandbox/orange-money" in phone_browser.current_url, "the provider")
    screen.find("#msisdn").send_keys(national(phone))
    phone_browser.find_element("css selector", "button[value=pay]").click()
    # then they are back in the app, still signed in, and the consultation becomes confirmed
    screen.until(lambda: "/payment?result=paid" in phone_browser.current_url, "the return")
    screen.until(lambda: "Confirmée" in screen.find("main").text, "the confirmation", 30)
    screen.keep("confirmed")
    # and their consultations list shows it upcoming, confirmed
    phone_browser.find_element("css selector", "a[href='/consultations']").click()
    screen.until(lambda: "À venir" in screen.find("main").text, "the consultations list")
    screen.until(lambda: "Confirmée" in screen.find("main").text, "the confirmed consultation")
    screen.keep("consultations")
    # when the network is cut and the app reloaded, the pages already seen still open
    phone_browser.set_network_conditions(
        offline=True, latency=0, download_throughput=0, upload_throughput=0
    )
    try:
        phone_browser.refresh()
        screen.until(lambda: "Hors connexion" in screen.find("body").text, "the offline notice")
        screen.until(lambda: DOCTOR in screen.find("main").text, "the list, offline")
        phone_browser.save_screenshot(str(artifacts_dir() / "app-offline.png"))
    finally:
        phone_browser.set_network_conditions(
            offline=False, latency=0, download_throughput=-1, upload_throughput=-1
        )


def test_a_patient_books_in_the_app_and_pays_with_moov_money_confirmed_on_the_phone(
    platform, phone_browser, verified_doctor, moov
):
    from datetime import UTC, datetime, timedelta

    from selenium.webdriver.common.by import By

    from tests.support.auth import Api as AuthApi
    from tests.support.payments import reconcile

    # given a patient signed in to the app, on the verified doctor's page
    phone = new_phone()
    AuthApi(platform.url("auth")).register(role="patient", full_name="Fanta Camara", phone=phone)
    screen = sign_in(phone_browser, platform.http_url, national(phone), STRONG_PASSWORD)
    phone_browser.get(f"{platform.http_url}/doctors/{verified_doctor['id']}")
    tap(screen.until(lambda: screen.find(".slot input"), "the free slots"))
    screen.field("Motif de la consultation").send_keys("Suivi de tension")
    tap(screen.button("Réserver"))
    screen.until(lambda: "Payez dans les" in screen.find("main").text, "the countdown")
    # when they choose Moov Money
    tap(screen.button("Moov Money"))
    # then the app tells them to confirm on their phone
    screen.until(lambda: "Confirmez le paiement" in screen.find("main").text, "the instruction")
    screen.keep("payment-moov")
    app_tab = phone_browser.current_window_handle
    # when they confirm the prompt on their phone (the sandbox's phone page, in another tab)
    phone_browser.switch_to.new_window("tab")
    phone_browser.get(f"{moov.base_url}/phone")
    phone_browser.find_element(By.CSS_SELECTOR, "#msisdn").send_keys(national(phone))
    phone_browser.find_element(By.CSS_SELECTOR, "form button.primary").click()
    pin = screen.until(lambda: screen.find("input[id^=pin-]"), "the prompt")
    pin.send_keys("2580")
    pin.find_element(By.XPATH, "./ancestor::form//button[@value='pay']").click()
    screen.until(lambda: "confirmé" in screen.find("main").text, "the phone's confirmation")
    # and the payments service, polling Moov Money, learns of it
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    # then the app, left open, shows the consultation confirmed without a reload
    phone_browser.switch_to.window(app_tab)
    screen.until(lambda: "Confirmée" in screen.find("main").text, "the confirmation", 30)
    assert "Confirmez le paiement" not in screen.find("main").text
    screen.keep("confirmed-moov")
    # when they choose Bambara, the texts written in it show, French elsewhere, after a reload too
    from selenium.webdriver.support.select import Select

    Select(screen.find(".language select")).select_by_visible_text("Bamanankan")
    screen.until(lambda: "A sinsinna" in screen.find("main").text, "the status in Bambara")
    assert "Dɔgɔtɔrɔw" in screen.find(".tabs").text
    assert "Consultations" in screen.find(".tabs").text
    phone_browser.refresh()
    screen.until(lambda: "A sinsinna" in screen.find("main").text, "Bambara after a reload")
    assert phone_browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "bm"
    screen.keep("confirmed-bambara")


def test_a_patient_cancels_a_paid_consultation_and_sees_the_refund_rule_applied(
    platform, phone_browser, verified_doctor, moov
):
    from datetime import UTC, datetime, timedelta

    from tests.support.auth import Api as AuthApi
    from tests.support.consultations import Consultations, next_slot
    from tests.support.payments import Payments, answer_on_the_phone, reconcile
    from tests.support.people import Person

    # given a patient's consultation tomorrow, paid with Moov Money
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="patient", full_name="Bintou Keïta", phone=phone)
    grant = auth.login(phone=phone)
    patient = Person(account["user_id"], "patient", grant["access_token"], "Bintou Keïta")
    doctor = Person(verified_doctor["id"], "doctor", "", DOCTOR)
    consultations = Consultations(platform)
    booking = (
        consultations.as_(patient)
        .book(doctor, next_slot(consultations, doctor, timedelta(days=1)))
        .json()
    )
    intent = Payments(platform, patient).pay_when_known(booking, "moov_money")
    answer_on_the_phone(moov, {**intent, "id": intent["id"]}, "pay")
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    consultations.as_(patient).wait_for_status(booking["id"], "confirmed")
    # when they sign in to the app and open it
    screen = sign_in(phone_browser, platform.http_url, national(phone), STRONG_PASSWORD)
    phone_browser.get(f"{platform.http_url}/consultations/{booking['id']}")
    screen.until(lambda: "Confirmée" in screen.find("main").text, "the consultation")
    # then cancelling first says the rule: refunded in full, until two hours before
    tap(screen.button("Annuler la consultation"))
    screen.until(lambda: "remboursée en entier" in screen.find("main").text, "the rule")
    screen.keep("cancel")
    tap(screen.button("Oui, annuler"))
    screen.until(lambda: screen.find(".status[data-status=cancelled]"), "the cancellation")
    # (Moov Money refunds by API: the page may already say the refund was sent)
    shown = screen.find("main").text
    assert "vous seront remboursés" in shown or "Remboursement de" in shown
    screen.keep("cancelled")
    cancelled = consultations.as_(patient).get(booking["id"]).json()
    assert cancelled["cancellation"]["refund_due"] is True


def test_a_forgotten_password_is_reset_by_sms_then_changed_and_every_session_ended(
    platform, phone_browser
):
    from tests.support.auth import Api as AuthApi

    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    auth.register(role="patient", full_name="Oumou Sangaré", phone=phone)
    screen = Screen(phone_browser)
    # given a patient who forgot their password
    phone_browser.get(f"{platform.http_url}/sign-in")
    screen.until(lambda: screen.field("Numéro de téléphone"), "the sign-in form")
    phone_browser.find_element("css selector", "a[href='/reset-password']").click()
    screen.field("Numéro de téléphone").send_keys(national(phone))
    tap(screen.button("Recevoir un code par SMS"))
    # when they type the code from the SMS and a new password
    screen.until(lambda: screen.field("Code reçu par SMS"), "the code field")
    codes = [re.search(r"\b(\d{6})\b", body) for body in sms_to(platform, phone)]
    screen.field("Code reçu par SMS").send_keys(next(c.group(1) for c in codes if c))
    screen.field("Nouveau mot de passe").send_keys("baobab-niger-toguna-2031")
    screen.keep("reset-password")
    tap(screen.button("Changer le mot de passe"))
    # then they are signed in, can change it again from their account, and sign out everywhere
    screen.until(lambda: "/doctors" in phone_browser.current_url, "signed in")
    phone_browser.find_element("css selector", "a[href='/account']").click()
    screen.until(lambda: screen.field("Nouveau mot de passe"), "the account page")
    screen.field("Mot de passe").send_keys("baobab-niger-toguna-2031")
    screen.field("Nouveau mot de passe").send_keys("sikasso-karite-dolo-2032")
    tap(screen.button("Changer de mot de passe"))
    screen.until(lambda: "Mot de passe changé." in screen.find("main").text, "the change")
    screen.keep("account")
    tap(screen.button("Se déconnecter de tous les appareils"))
    screen.until(lambda: screen.button("Créer un compte"), "signed out")
    assert auth.post("/login", {"phone": phone, "password": "sikasso-karite-dolo-2032"}).ok


def test_a_wrong_password_shows_the_services_reason_and_keeps_the_person_signed_out(
    platform, phone_browser
):
    from tests.support.auth import Api as AuthApi

    # given a patient at the app's sign-in form
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    auth.register(role="patient", full_name="Aïssata Coulibaly", phone=phone)
    screen = Screen(phone_browser)
    phone_browser.get(f"{platform.http_url}/sign-in")
    screen.until(lambda: screen.field("Numéro de téléphone"), "the sign-in form")
    # when the password typed is wrong
    screen.field("Numéro de téléphone").send_keys(national(phone))
    screen.field("Mot de passe").send_keys("not-the-password-1")
    tap(phone_browser.find_element("css selector", "form button.primary"))
    # then the app says why, in the service's words, as a sentence, and holds no session
    shown = screen.until(lambda: screen.find(".alert").text, "the refusal")
    refusal = auth.post("/login", {"phone": phone, "password": "not-the-password-1"}, language="fr")
    assert refusal.status_code == 401
    assert shown.rstrip(".") == refusal.json()["detail"].rstrip(".")
    assert "{" not in shown
    assert "/sign-in" in phone_browser.current_url
    assert not phone_browser.execute_script("return sessionStorage.getItem('keneya.refresh')")
    screen.keep("sign-in-refused")
