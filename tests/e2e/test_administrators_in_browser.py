"""The administrators' screens in a real browser, as an administrator on a phone uses them (the
issue's flows 1, 4 and 5): the review queue, a doctor's file with their photo, verified in the
app; another doctor suspended with a reason, the history of both decisions; that doctor's patient
sees the upcoming consultation cancelled, is told, and refunded; an Orange Money refund (which
the provider cannot pay by API) marked paid with the provider's reference, and the patient sees
it. Every screen is left as a phone-size screenshot in build/artifacts/ and checked with axe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.auth import STRONG_PASSWORD, admin_command, national, new_phone
from tests.support.auth import Api as AuthApi
from tests.support.consultations import EVERY_DAY, Consultations, next_slot
from tests.support.payments import (
    Payments,
    answer_on_the_phone,
    pay_on_the_hosted_page,
    reconcile,
)
from tests.support.people import Person, eventually

from .app_screen import PHOTO, Screen, sign_in, tap, text
from .browser import PHONE

pytestmark = pytest.mark.slow

ADMIN = "Kadidia Sanogo"


def administrator(platform: Any, aws_endpoint: str) -> tuple[Person, str]:
    """An administrator created by the operators' command, with a phone to sign in with."""
    phone = new_phone()
    created = admin_command(
        platform.deployment.services["auth"].environment,
        aws_endpoint,
        "create",
        "--full-name",
        ADMIN,
        "--phone",
        phone,
        "--password-stdin",
        stdin=f"{STRONG_PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    grant = AuthApi(platform.url("auth")).login(phone=phone)
    admin = Person(grant["user_id"], "admin", grant["access_token"], ADMIN)
    users = platform.url("users", "/me")
    headers = {"Authorization": f"Bearer {admin.token}"}
    # Their profile (opened from user.registered) is where the history finds their name.
    assert eventually(lambda: requests.get(users, headers=headers, timeout=30).ok, timeout=20)
    return admin, phone


def doctor_with_profile(platform: Any, full_name: str, *, fee_xof: int = 6000) -> Person:
    """A doctor who signed up and filled in the whole profile (photo and hours too): pending."""
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="doctor", full_name=full_name, phone=phone)
    token = auth.login(phone=phone)["access_token"]
    doctor = Person(account["user_id"], "doctor", token, full_name)
    headers = {"Authorization": f"Bearer {doctor.token}"}

    def call(method: str, path: str, body: Any = None) -> Any:
        return requests.request(
            method, platform.url("users", path), json=body, headers=headers, timeout=30
        )

    profile = {
        "specialty": "paediatrics",
        "languages": ["fr", "bm"],
        "licence_number": f"CNOM-ML-{uuid.uuid4().hex[:6].upper()}",
        "city": "Kayes",
        "facility": "Centre de santé de référence de Kayes",
        "biography": "Pédiatre, quinze ans au CSRéf de Kayes.",
        "fee_xof": fee_xof,
    }
    assert eventually(lambda: call("PATCH", "/me", profile).ok, timeout=20)
    form = call("POST", "/me/photo", {"content_type": "image/png", "size": len(PHOTO)})
    assert form.status_code == 201, form.text
    sent = requests.post(
        form.json()["url"],
        data=form.json()["fields"],
        files={"file": ("photo.png", PHOTO, "image/png")},
        timeout=30,
    )
    assert sent.ok, sent.text
    assert call("PUT", "/me/photo", {"upload_id": form.json()["upload_id"]}).ok
    assert call("PUT", "/me/availability", {"slot_minutes": 30, "weekly": EVERY_DAY}).ok
    return doctor


def verified(platform: Any, doctor: Person, admin: Person) -> Person:
    answer = requests.post(
        platform.url("users", f"/admin/doctors/{doctor.user_id}/verify"),
        headers={"Authorization": f"Bearer {admin.token}"},
        timeout=30,
    )
    assert answer.ok, answer.text
    slots = platform.url("consultations", f"/slots?doctor_id={doctor.user_id}")
    assert eventually(lambda: requests.get(slots, timeout=30).ok, timeout=20)
    return doctor


def patient(platform: Any, full_name: str) -> tuple[Person, str]:
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="patient", full_name=full_name, phone=phone)
    token = auth.login(phone=phone)["access_token"]
    return Person(account["user_id"], "patient", token, full_name), phone


def booked_tomorrow(platform: Any, who: Person, doctor: Person) -> dict[str, Any]:
    consultations = Consultations(platform)
    booking = consultations.as_(who).book(
        doctor, next_slot(consultations, doctor, timedelta(days=1))
    )
    assert booking.status_code == 201, booking.text
    return booking.json()


def open_doctor(screen: Screen, doctor: Person) -> None:
    """From the review queue shown: the doctor's card, reading more pages until it is there."""
    link = f"main a[href='/admin/doctors/{doctor.user_id}']"

    def card() -> Any:
        found = screen.driver.find_elements("css selector", link)
        if found:
            return found[0]
        more = screen.driver.find_elements(
            "xpath", "//main//button[normalize-space()='Voir plus de médecins']"
        )
        if more and more[0].is_enabled():
            tap(more[0])
        return None

    tap(screen.until(card, f"{doctor.full_name}'s card in the queue", 60))
    screen.until(lambda: screen.find("main h1").text == doctor.full_name, "the doctor's file")


def words(screen: Screen) -> str:
    """The screen's text with no-break spaces as spaces (money: "6 000 FCFA")."""
    return text(screen).replace("\u00a0", " ").replace("\u202f", " ")


def show_history(screen: Screen) -> None:
    """The history in the middle of the screen, for its screenshot."""
    screen.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", screen.find(".history")
    )


def history(screen: Screen) -> list[str]:
    return [item.text for item in screen.driver.find_elements("css selector", ".history li")]


def test_an_administrator_verifies_a_doctor_and_suspends_another_whose_patient_is_told(
    platform, aws_endpoint, browsers, moov
):
    admin, admin_phone = administrator(platform, aws_endpoint)
    tag = uuid.uuid4().hex[:4].upper()
    # given a doctor who signed up and filled in the profile, waiting for review
    newcomer = doctor_with_profile(platform, f"Dr Aïssata Maïga {tag}")
    # and a verified doctor with a patient's consultation tomorrow, paid with Moov Money
    listed = verified(platform, doctor_with_profile(platform, f"Dr Abdoulaye Ba {tag}"), admin)
    someone, someone_phone = patient(platform, "Oumou Sidibé")
    booking = booked_tomorrow(platform, someone, listed)
    intent = Payments(platform, someone).pay_when_known(booking, "moov_money")
    answer_on_the_phone(moov, intent, "pay")
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    Consultations(platform).as_(someone).wait_for_status(booking["id"], "confirmed")

    # when the administrator signs in to the app: the review queue, pending doctors first
    driver = browsers(PHONE, "fr")
    screen = sign_in(driver, platform.http_url, national(admin_phone), STRONG_PASSWORD)
    screen.until(lambda: "Médecins à examiner" in text(screen), "the review queue")
    assert screen.find("button[aria-pressed=true]").text == "En attente"
    open_doctor(screen, newcomer)
    # then the doctor's file shows the licence, the details and the photo
    photo = screen.until(lambda: screen.find("main img.photo"), "the doctor's photo")
    screen.until(
        lambda: driver.execute_script("return arguments[0].naturalWidth", photo) == 16,
        "the photo shown (fetched with the administrator's token, through its presigned link)",
    )
    # the decisions' history arrives by a request of its own
    screen.until(lambda: "Aucune décision pour l'instant." in text(screen), "an empty history")
    page = words(screen)
    assert "En attente de vérification" in page and "CNOM-ML-" in page
    assert "Centre de santé de référence de Kayes" in page, page
    assert "6 000 FCFA" in page, page
    assert "Aucune décision pour l'instant." in page
    screen.keep("admin-doctor")
    # when they verify, confirming first
    tap(screen.button("Vérifier"))
    screen.until(lambda: "apparaîtra dans la recherche des patients" in text(screen), "confirm")
    screen.keep("admin-verify")
    tap(screen.button("Oui, vérifier"))
    # then the new status shows, and the history holds the decision with who made it
    screen.until(lambda: "est maintenant vérifié" in text(screen), "the verification")
    assert screen.find(".status").text == "Vérifié"
    screen.until(lambda: history(screen), "the history")
    assert history(screen)[0].startswith("Vérifié") and f"par {ADMIN}" in history(screen)[0]
    show_history(screen)
    screen.keep("admin-verified")
    # and the doctor is now in the patients' search
    search = platform.url("users", "/doctors")
    found = requests.get(search, params={"name": "Maïga", "city": "Kayes"}, timeout=30).json()
    assert newcomer.user_id in [card["id"] for card in found["items"]]

    # when they open the verified doctors, then the other doctor, and suspend them
    tap(screen.find("main a.back"))
    screen.until(lambda: screen.button("Vérifiés"), "the status switch")
    tap(screen.button("Vérifiés"))
    screen.until(
        lambda: screen.find("button[aria-pressed=true]").text == "Vérifiés", "the verified list"
    )
    screen.keep("admin-queue-verified")
    open_doctor(screen, listed)
    tap(screen.button("Suspendre"))
    screen.until(lambda: screen.field("Motif de la suspension"), "the reason's field")
    # a reason is required
    tap(screen.button("Oui, suspendre"))
    screen.until(lambda: "Indiquez le motif de la suspension." in text(screen), "the refusal")
    screen.field("Motif de la suspension").send_keys("Numéro d'ordre radié par le CNOM")
    screen.keep("admin-suspend")
    tap(screen.button("Oui, suspendre"))
    screen.until(lambda: "est maintenant suspendu" in text(screen), "the suspension")
    assert screen.find(".status").text == "Suspendu"
    assert "Motif : Numéro d'ordre radié par le CNOM" in text(screen)
    screen.until(lambda: len(history(screen)) == 2, "both decisions in the history")
    newest, oldest = history(screen)
    assert newest.startswith("Suspendu") and "Motif : Numéro d'ordre radié par le CNOM" in newest
    assert oldest.startswith("Vérifié") and f"par {ADMIN}" in oldest
    show_history(screen)
    screen.keep("admin-suspended")
    # and the queue of suspended doctors lists them
    tap(screen.find("main a.back"))
    tap(screen.until(lambda: screen.button("Suspendus"), "the status switch"))
    screen.until(lambda: listed.full_name in text(screen), "the suspended doctor in the queue")
    assert "Suspendu depuis le" in text(screen)
    screen.keep("admin-queue-suspended")

    # then the patient's upcoming consultation with that doctor is cancelled and refunded
    consultations = Consultations(platform).as_(someone)
    cancelled = consultations.wait_for_status(booking["id"], "cancelled", timeout=30)
    assert cancelled["cancellation"]["reason"] == "doctor_suspended"
    # and in the app the patient sees why, and the refund that Moov Money paid back
    phone = browsers(PHONE, "fr")
    seen = sign_in(phone, platform.http_url, national(someone_phone), STRONG_PASSWORD)
    phone.get(f"{platform.http_url}/consultations/{booking['id']}")
    seen.until(lambda: seen.find(".status[data-status=cancelled]"), "the cancellation")
    assert "Le médecin ne consulte plus sur Keneya" in text(seen)
    refunded = "Remboursement de 6 000 FCFA envoyé le"
    seen.until(lambda: refunded in words(seen), "the refund Moov Money paid", 40)
    seen.keep("cancelled-doctor-suspended")
    # and they were told, in the app's notifications
    tap(seen.find("nav.tabs a[href='/notifications']"))
    seen.until(lambda: "Consultation annulée" in text(seen), "the notification", 30)
    assert listed.full_name in text(seen)
    seen.keep("notified-doctor-suspended")


def test_an_administrator_marks_an_orange_money_refund_paid_and_the_patient_sees_it(
    platform, aws_endpoint, browsers, orange
):
    admin, admin_phone = administrator(platform, aws_endpoint)
    tag = uuid.uuid4().hex[:4].upper()
    doctor = verified(
        platform, doctor_with_profile(platform, f"Dr Mamadou Keïta {tag}", fee_xof=7500), admin
    )
    # given a consultation paid with Orange Money, then cancelled a day ahead (refund due)
    someone, someone_phone = patient(platform, "Maïmouna Dembélé")
    booking = booked_tomorrow(platform, someone, doctor)
    payments = Payments(platform, someone)
    intent = payments.pay_when_known(booking, "orange_money")
    pay_on_the_hosted_page(intent, "pay")
    payments.wait_for_status(intent["id"], "succeeded")
    consultations = Consultations(platform).as_(someone)
    consultations.wait_for_status(booking["id"], "confirmed")
    assert consultations.act(booking["id"], "cancel", {}).status_code == 200
    # Orange Money cannot refund by API: it waits for an administrator
    assert eventually(
        lambda: payments.get(intent["id"]).json()["refund_status"] == "queued", timeout=20
    )

    # when the administrator opens the refunds to pay
    driver = browsers(PHONE, "fr")
    screen = sign_in(driver, platform.http_url, national(admin_phone), STRONG_PASSWORD)
    tap(screen.until(lambda: screen.find("nav.tabs a[href='/admin/refunds']"), "the tabs"))
    card = f"li[data-payment='{intent['id']}']"
    screen.until(lambda: screen.find(card), "the refund in the list", 30)
    refund = screen.find(card)
    assert "7 500 FCFA" in refund.text.replace("\u00a0", " ") and "Orange Money" in refund.text
    assert "+22376123456" in refund.text
    screen.until(lambda: "Maïmouna Dembélé" in screen.find(card).text, "the payer's name")
    screen.keep("admin-refunds")
    # and marks it paid: the provider's reference is required
    mark = ".//button[normalize-space()='Marquer comme payé']"
    tap(screen.find(card).find_element("xpath", mark))
    screen.until(lambda: screen.field("Référence du fournisseur"), "the reference's field")
    tap(screen.button("Confirmer le paiement"))
    screen.until(lambda: "Indiquez la référence du fournisseur." in text(screen), "the refusal")
    reference = f"OM-RB-{tag}"
    screen.field("Référence du fournisseur").send_keys(reference)
    screen.keep("admin-refund-reference")
    tap(screen.button("Confirmer le paiement"))
    # then it leaves the list, saying what was recorded
    screen.until(lambda: not driver.find_elements("css selector", card), "the refund gone")
    assert f"marqué comme payé (référence {reference})" in text(screen)
    screen.keep("admin-refund-paid")
    paid = payments.get(intent["id"]).json()
    assert (paid["status"], paid["refund_reference"]) == ("refunded", reference)

    # and the patient, in the app, sees the refund sent with its reference
    phone = browsers(PHONE, "fr")
    seen = sign_in(phone, platform.http_url, national(someone_phone), STRONG_PASSWORD)
    phone.get(f"{platform.http_url}/consultations/{booking['id']}")
    seen.until(lambda: seen.find(".status[data-status=cancelled]"), "the cancellation")
    seen.until(lambda: "Remboursement de 7 500 FCFA envoyé le" in words(seen), "the refund")
    assert f"référence {reference}" in text(seen)
    seen.keep("refund-sent")
