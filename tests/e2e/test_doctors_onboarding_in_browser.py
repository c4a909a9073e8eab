"""A doctor's onboarding in real browsers (issue flows 1 and 2): a new doctor signs up in the app
with the code texted to them, fills the profile with a photo taken from a file and the weekly
hours, sees the review pending; an administrator verifies them in the review queue; the doctor
reads that they are verified and a patient, in another browser, finds them and sees their photo.
A verified doctor changes their hours (the effect on the week's slots shown before saving) and a
patient on the doctor's page sees the slots change. Every new screen is kept as a phone-size
screenshot, checked with axe and at double text size."""

from __future__ import annotations

import re
import secrets
import string
import time
from typing import Any

import pytest
import requests

from tests.support.auth import STRONG_PASSWORD, admin_command, national, new_phone
from tests.support.auth import Api as AuthApi
from tests.support.consultations import EVERY_DAY, sign_up_admin
from tests.support.people import eventually

from .app_screen import PHOTO, Screen, sign_in, tap, text
from .browser import PHONE, artifacts_dir
from .test_sign_up import sms_to

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]

MINUS = "\u2212"  # the minus sign of the app's "+6 créneaux, \u22122 cette semaine"


def unique_surname() -> str:
    """A surname no other doctor of the session has (the patient searches for it)."""
    return "K" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(7))


def admin_account(platform: Any, aws_endpoint: str) -> str:
    """An administrator made with the operators' command; their phone number."""
    phone = new_phone()
    created = admin_command(
        platform.deployment.services["auth"].environment,
        aws_endpoint,
        "create",
        "--full-name",
        "Fanta Coulibaly",
        "--phone",
        phone,
        "--password-stdin",
        stdin=f"{STRONG_PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    return phone


def patient_phone(platform: Any) -> str:
    phone = new_phone()
    AuthApi(platform.url("auth")).register(role="patient", full_name="Awa Sangaré", phone=phone)
    return phone


def set_time(screen: Screen, element: Any, value: str) -> None:
    """Type a time the way a person does in Chromium's time field (hours, then minutes)."""
    tap(element)
    element.send_keys(value.replace(":", ""))
    if element.get_attribute("value") != value:
        # Some builds keep the field's segments apart: set it as the picker would.
        screen.driver.execute_script(
            "const [e, v] = arguments;"
            "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(e, v);"
            "e.dispatchEvent(new Event('input', {bubbles: true}));",
            element,
            value,
        )
    assert element.get_attribute("value") == value


def slot_times(screen: Screen) -> list[str]:
    """The times (HH:MM, Bamako) of the free slots on a doctor's page."""
    labels = screen.driver.find_elements("css selector", "main .slot")
    return [m.group(0) for label in labels if (m := re.search(r"\d{2}:\d{2}", label.text))]


def test_a_new_doctor_completes_the_profile_is_verified_and_patients_find_them(
    platform, aws_endpoint, phone_browser, browsers
):
    from selenium.webdriver.support.select import Select

    doctor = Screen(phone_browser)
    name = f"Dr Mariam {unique_surname().capitalize()}"
    phone = new_phone()
    # given a doctor who signs up in the app with the code texted to them
    phone_browser.get(f"{platform.http_url}/sign-up/doctor")
    doctor.until(lambda: doctor.field("Nom complet"), "the doctor's sign-up")
    doctor.field("Nom complet").send_keys(name)
    doctor.field("Numéro de téléphone").send_keys(national(phone))
    doctor.field("Mot de passe").send_keys(STRONG_PASSWORD)
    tap(doctor.button("Créer un compte"))
    doctor.until(lambda: doctor.field("Code reçu par SMS"), "the code field")
    code = re.search(r"\b(\d{6})\b", sms_to(platform, phone)[0]).group(1)
    doctor.field("Code reçu par SMS").send_keys(code)
    tap(doctor.button("Vérifier"))
    # then they land on their profile, pending review, told what is missing
    doctor.until(lambda: "/doctor/profile" in phone_browser.current_url, "the profile screen")
    doctor.until(
        lambda: "En attente de vérification par l'équipe Keneya" in text(doctor), "the review"
    )
    doctor.until(lambda: doctor.find("#dp-specialty option[value='general-practice']"), "choices")
    assert "Il manque encore" in text(doctor)
    assert "vos horaires de consultation" in text(doctor)
    doctor.keep("doctor-profile-new")
    doctor_id = phone_browser.execute_script(
        "return sessionStorage.getItem('keneya.who').split(' ')[0]"
    )

    # when they send a photo from the phone's files
    photo = artifacts_dir() / "doctor-photo.png"
    photo.write_bytes(PHOTO)
    assert doctor.find("#dp-camera").get_attribute("capture") == "user"
    doctor.find("#dp-photo-file").send_keys(str(photo))
    doctor.until(lambda: "Photo enregistrée." in text(doctor), "the photo saved")
    shown = doctor.until(lambda: doctor.find("img.own-photo"), "the photo shown")
    doctor.until(
        lambda: phone_browser.execute_script("return arguments[0].naturalWidth", shown) == 16,
        "the photo drawn",
    )
    # and fill in their details; a fee that is no whole number is pointed out next to it
    Select(doctor.find("#dp-specialty")).select_by_value("general-practice")
    tap(doctor.find("input[name=languages][value=fr]"))
    tap(doctor.find("input[name=languages][value=bm]"))
    doctor.field("Numéro d'inscription à l'Ordre des médecins").send_keys("CNOM-ML-4" + code[:4])
    doctor.field("Établissement (centre de santé, clinique)").send_keys("Clinique du Fleuve")
    doctor.field("Ville").send_keys("Bamako")
    doctor.field("Tarif d'une consultation (FCFA)").send_keys("6 5OO")
    doctor.field("Présentation (parcours, ce que vous soignez)").send_keys(
        "Médecin généraliste, suivi des enfants et des maladies chroniques."
    )
    tap(doctor.find("input[name=sex][value=female]"))
    tap(doctor.button("Enregistrer"))
    fee = doctor.field("Tarif d'une consultation (FCFA)")
    doctor.until(lambda: fee.get_attribute("aria-invalid") == "true", "the fee's problem")
    assert "Un nombre entier de FCFA" in doctor.find(".field-error").text
    fee.clear()
    fee.send_keys("6500")
    doctor.until(lambda: "Les patients paieront 6" in text(doctor), "the fee in FCFA")
    doctor.keep("doctor-profile-filled")
    tap(doctor.button("Enregistrer"))
    doctor.until(lambda: "Profil enregistré." in text(doctor), "the profile saved")
    assert "Il manque encore" in text(doctor)  # the hours

    # when they set their weekly hours: mornings, Monday to Friday, the effect shown first
    tap(phone_browser.find_element("css selector", "nav a[href='/doctor/availability']"))
    hours = doctor
    hours.until(lambda: "Mes horaires" in text(hours), "the hours screen")
    hours.until(lambda: "Aucun changement" in text(hours), "the effect of nothing yet")
    hours.keep("doctor-hours-empty")
    tap(hours.find("fieldset.day button.add[aria-label='Ajouter des heures le Lundi']"))
    set_time(hours, hours.find("#av-weekly-mon-0-end"), "13:00")
    tap(hours.button("Mêmes heures du lundi au vendredi"))
    Select(hours.find("#av-slot")).select_by_value("20")
    summary = hours.find(".effect-summary")
    # 08:00-13:00 in 20 minutes: 15 slots a day, 5 days a week (fewer today, if already begun)
    hours.until(
        lambda: re.match(rf"\+\d+ créneaux, {MINUS}0 cette semaine", summary.text), "the effect"
    )
    assert 60 <= int(re.match(r"\+(\d+)", summary.text).group(1)) <= 75
    tap(hours.find(".effect-days summary"))
    assert "+08:20" in text(hours)
    hours.keep("doctor-hours-edited")
    tap(hours.button("Enregistrer mes horaires"))
    hours.until(lambda: "Horaires enregistrés" in text(hours), "the hours saved")
    hours.until(lambda: "Aucun changement" in summary.text, "nothing left to save")

    # then the profile is complete and waits for the review
    tap(phone_browser.find_element("css selector", "nav a[href='/doctor/profile']"))
    doctor.until(lambda: "Votre profil est complet." in text(doctor), "the complete profile")
    assert "En attente de vérification par l'équipe Keneya" in text(doctor)
    # (the stored photo, fetched with the doctor's token: an image cannot carry it)
    shown = doctor.until(lambda: doctor.find("img.own-photo"), "the stored photo")
    doctor.until(
        lambda: phone_browser.execute_script("return arguments[0].naturalWidth", shown) == 16,
        "the stored photo drawn",
    )
    doctor.keep("doctor-profile-pending")

    # when an administrator verifies them from the review queue
    admin_driver = browsers(PHONE, "fr-FR")
    admin = sign_in(
        admin_driver,
        platform.http_url,
        national(admin_account(platform, aws_endpoint)),
        STRONG_PASSWORD,
    )
    admin.until(lambda: "/admin/doctors" in admin_driver.current_url, "the review queue")
    link = admin.until(
        lambda: admin.find(f"main a[href='/admin/doctors/{doctor_id}']"), "the doctor pending"
    )
    tap(link)
    admin.until(lambda: "CNOM-ML-4" in text(admin), "the doctor's file")
    tap(admin.button("Vérifier"))
    tap(admin.until(lambda: admin.button("Oui, vérifier"), "the confirmation"))
    admin.until(lambda: f"{name} est maintenant vérifié." in text(admin), "the doctor verified")

    # then the doctor's profile says so, and the checked fields can no longer be changed
    phone_browser.refresh()
    doctor.until(lambda: re.search(r"Vérifié le \d{1,2} \w+ \d{4}", text(doctor)), "verified")
    assert not phone_browser.find_elements("css selector", "#dp-specialty")
    assert "Vérifiés par l'équipe Keneya : pour les changer, contactez-la." in text(doctor)
    shown = doctor.until(lambda: doctor.find("img.own-photo"), "the photo, public now")
    doctor.until(
        lambda: phone_browser.execute_script("return arguments[0].naturalWidth", shown) == 16,
        "the photo drawn from its public link",
    )
    doctor.keep("doctor-profile-verified")

    # and a patient, in another browser, finds the doctor by name and sees their page and photo
    patient_driver = browsers(PHONE, "fr-FR")
    patient = sign_in(
        patient_driver, platform.http_url, national(patient_phone(platform)), STRONG_PASSWORD
    )
    patient.until(lambda: patient.field("Nom du médecin"), "the search")
    surname = name.split()[-1]

    def found() -> bool:
        field = patient.field("Nom du médecin")
        field.clear()
        field.send_keys(surname)
        tap(patient.button("Rechercher"))
        time.sleep(0.5)
        return bool(patient_driver.find_elements("css selector", f"a[href='/doctors/{doctor_id}']"))

    patient.until(found, "the new doctor in the search", 30)
    assert "Bamako" in text(patient)
    tap(patient.find(f"a[href='/doctors/{doctor_id}']"))
    patient.until(lambda: name in text(patient), "the doctor's page")
    photo_shown = patient.until(lambda: patient.find("img.photo"), "the doctor's photo")
    patient.until(
        lambda: (
            patient_driver.execute_script("return arguments[0].naturalWidth", photo_shown) == 16
        ),
        "the photo shown to the patient",
    )
    assert "Clinique du Fleuve" in text(patient)
    assert "6\u00a0500\u00a0FCFA" in text(patient) or "6 500 FCFA" in text(patient)


def verified_doctor_with_phone(platform: Any, aws_endpoint: str, name: str) -> tuple[str, str]:
    """A doctor verified through the API, open every day round the clock in 30-minute slots:
    their id and phone."""
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="doctor", full_name=name, phone=phone)
    headers = {"Authorization": f"Bearer {auth.login(phone=phone)['access_token']}"}

    def call(method: str, path: str, body: Any, with_headers: dict[str, str]) -> Any:
        return requests.request(
            method, platform.url("users", path), json=body, headers=with_headers, timeout=30
        )

    profile = {
        "specialty": "general-practice",
        "languages": ["fr"],
        "licence_number": "CNOM-ML-51234",
        "city": "Kayes",
        "fee_xof": 5000,
    }
    assert eventually(lambda: call("PATCH", "/me", profile, headers).ok, timeout=20)
    schedule = {"slot_minutes": 30, "weekly": EVERY_DAY}
    assert call("PUT", "/me/availability", schedule, headers).ok
    admin = sign_up_admin(platform, aws_endpoint)
    verified = call(
        "POST",
        f"/admin/doctors/{account['user_id']}/verify",
        None,
        {"Authorization": f"Bearer {admin.token}"},
    )
    assert verified.ok, verified.text
    slots = platform.url("consultations", f"/slots?doctor_id={account['user_id']}")
    assert eventually(lambda: requests.get(slots, timeout=30).ok, timeout=20)
    return account["user_id"], phone


def test_a_doctor_changes_their_hours_and_a_patient_sees_the_slots_change(
    platform, aws_endpoint, browsers
):
    from selenium.webdriver.support.select import Select

    name = f"Dr Seydou {unique_surname().capitalize()}"
    doctor_id, doctor_phone = verified_doctor_with_phone(platform, aws_endpoint, name)
    # given a patient on the doctor's page: slots every half hour, round the clock
    patient_driver = browsers(PHONE, "fr-FR")
    patient = sign_in(
        patient_driver, platform.http_url, national(patient_phone(platform)), STRONG_PASSWORD
    )
    patient_driver.get(f"{platform.http_url}/doctors/{doctor_id}")
    patient.until(lambda: len(slot_times(patient)) >= 6, "the doctor's free slots")
    before = slot_times(patient)
    assert all(time_[3:] in ("00", "30") for time_ in before), before

    # when the doctor, on their phone, makes slots 45 minutes long and takes tomorrow off
    doctor_driver = browsers(PHONE, "fr-FR")
    doctor = sign_in(doctor_driver, platform.http_url, national(doctor_phone), STRONG_PASSWORD)
    tap(
        doctor.until(
            lambda: doctor_driver.find_element(
                "css selector", "nav a[href='/doctor/availability']"
            ),
            "the doctor's tabs",
        )
    )
    doctor.until(lambda: "Mes horaires" in text(doctor), "the hours screen")
    doctor.until(lambda: "Aucun changement" in text(doctor), "the saved hours")
    summary = doctor.find(".effect-summary")
    Select(doctor.find("#av-slot")).select_by_value("45")
    tap(
        doctor_driver.find_element(
            "xpath", "//button[contains(normalize-space(), 'Ajouter un jour particulier')]"
        )
    )
    doctor.until(lambda: "Jour particulier 1" in text(doctor), "a special day")
    assert doctor.find("input[name='av-exception-0-kind']").is_selected()  # a day off
    # then they see what it does to the week's slots before saving
    doctor.until(
        lambda: re.match(rf"\+\d+ créneaux, {MINUS}\d+ cette semaine", summary.text), "effect"
    )
    added, removed = map(int, re.findall(r"\d+", summary.text))
    assert added > 0 and removed > added, summary.text
    doctor.keep("doctor-hours-change")

    # and when the connection drops as they save, nothing is lost and they are told
    doctor_driver.set_network_conditions(
        offline=True, latency=0, download_throughput=0, upload_throughput=0
    )
    try:
        tap(doctor.button("Enregistrer mes horaires"))
        doctor.until(lambda: "Échec de l'enregistrement" in text(doctor), "the failure told")
        doctor.keep("doctor-hours-offline")
    finally:
        doctor_driver.set_network_conditions(
            offline=False, latency=0, download_throughput=-1, upload_throughput=-1
        )
    doctor_driver.refresh()
    doctor.until(lambda: "modifications non enregistrées ont été reprises" in text(doctor), "kept")
    assert Select(doctor.find("#av-slot")).first_selected_option.get_attribute("value") == "45"
    tap(doctor.button("Enregistrer mes horaires"))
    doctor.until(lambda: "Horaires enregistrés" in text(doctor), "the hours saved")

    # then the patient, coming back to the doctor's page, sees the new slots
    def changed() -> list[str] | None:
        patient_driver.refresh()
        patient.until(lambda: name in text(patient), "the doctor's page")
        time.sleep(0.5)
        now = slot_times(patient)
        return now if any(time_[3:] in ("15", "45") for time_ in now) else None

    after = patient.until(changed, "the 45-minute slots", 40)
    assert after != before
    patient.keep("doctor-page-new-hours")
