"""The doctors' side of the web app in real browsers (issue flows 3 and 4): a patient books and
pays in the app while the doctor's agenda, open on a laptop, shows it without a reload; the
doctor starts it, sees the patient arrive in the call, joins, completes it with a diagnosis found
by words and a prescription, and the patient reads them in the record. A doctor reads a
patient's record while their consultation allows it, and is told clearly once it no longer does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from tests.support.auth import STRONG_PASSWORD, national, new_phone
from tests.support.auth import Api as AuthApi
from tests.support.consultations import Consultations, Table, next_slot
from tests.support.people import Person

from .app_screen import Screen, my_record, sign_in, tap, text
from .browser import LAPTOP, PHONE
from .call_page import MEDIA_DEADLINE_S, CallPage

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chromium")]


def patient_account(platform: Any, full_name: str) -> tuple[Person, str]:
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="patient", full_name=full_name, phone=phone)
    grant = auth.login(phone=phone)
    return Person(account["user_id"], "patient", grant["access_token"], full_name), phone


def starting_soon(platform: Any, aws_endpoint: str, consultation_id: str) -> None:
    """The consultation moved to five minutes from now, so that its doctor may start it."""
    environment = platform.deployment.services["consultations"].environment
    dynamodb = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    Table(dynamodb.Table(environment["TABLE_NAME"])).move_start(
        consultation_id, datetime.now(UTC) + timedelta(minutes=5)
    )


def test_a_consultation_booked_by_a_patient_is_run_by_the_doctor_from_the_agenda_to_the_record(
    platform, aws_endpoint, browsers, verified_doctor
):
    # given the doctor's agenda open on a laptop, and a patient signed in on a phone
    doctor_driver = browsers(LAPTOP, "fr-FR")
    doctor = sign_in(
        doctor_driver, platform.http_url, national(verified_doctor["phone"]), STRONG_PASSWORD
    )
    doctor.until(lambda: "/doctor/agenda" in doctor_driver.current_url, "the doctor's home")
    doctor.until(lambda: "Aujourd'hui" in text(doctor), "the agenda")
    doctor.keep("doctor-agenda-empty")
    _, patient_phone = patient_account(platform, "Oumou Diallo")
    patient_driver = browsers(PHONE, "fr-FR")
    patient = sign_in(patient_driver, platform.http_url, national(patient_phone), STRONG_PASSWORD)

    # when the patient books the doctor's first free slot and pays with Orange Money
    patient_driver.get(f"{platform.http_url}/doctors/{verified_doctor['id']}")
    tap(patient.until(lambda: patient.find(".slot input"), "the free slots"))
    patient.field("Motif de la consultation").send_keys("Fièvre et frissons depuis hier")
    tap(patient.button("Réserver"))
    tap(patient.until(lambda: patient.button("Orange Money"), "the payment choice"))
    patient.until(lambda: "_sandbox/orange-money" in patient_driver.current_url, "the provider")
    patient.find("#msisdn").send_keys(national(patient_phone))
    patient_driver.find_element("css selector", "button[value=pay]").click()
    patient.until(lambda: "Confirmée" in text(patient), "the confirmation", 30)
    consultation_id = patient_driver.current_url.split("/consultations/")[1].split("/")[0]

    # then the doctor's agenda, left open, shows it without a reload
    doctor.until(lambda: "Oumou Diallo" in text(doctor), "the booking in the agenda", 30)
    doctor.keep("doctor-agenda")

    # when the consultation's time comes and the doctor opens and starts it
    starting_soon(platform, aws_endpoint, consultation_id)
    tap(doctor.find(f"a[href='/doctor/consultations/{consultation_id}']"))
    tap(doctor.until(lambda: doctor.button("Démarrer la consultation"), "the start button"))
    doctor.until(lambda: "En cours" in text(doctor), "the consultation in progress")
    doctor.keep("doctor-consultation")

    # and the patient joins the call from their consultation's page
    patient_driver.get(f"{platform.http_url}/consultations/{consultation_id}")
    tap(
        patient.until(
            lambda: patient.find(f"a[href='/consultations/{consultation_id}/call']"), "the call"
        )
    )
    on_phone = CallPage(patient_driver, platform.http_url, consultation_id)
    on_phone.join()

    # then the doctor sees the patient waiting in the call, as it happens
    doctor.until(lambda: "Le patient vous attend" in text(doctor), "the patient's arrival", 30)

    # when the doctor joins them
    tap(doctor.find(f"a[href='/consultations/{consultation_id}/call']"))
    on_laptop = CallPage(doctor_driver, platform.http_url, consultation_id)
    on_laptop.join()

    # then both are in the call
    for page in (on_laptop, on_phone):
        page.wait_until(page.call_flows, "video both ways", timeout=MEDIA_DEADLINE_S)

    # when the doctor, back on the consultation's page, completes it: a diagnosis found by
    # words, a prescription, a follow-up
    tap(doctor.find(f"main a[href='/doctor/consultations/{consultation_id}']"))
    doctor.until(lambda: doctor.field("Chercher un diagnostic (code ou mots)"), "the summary form")
    tap(doctor.button("Envoyer et terminer"))
    doctor.until(lambda: "Ajoutez au moins un diagnostic." in text(doctor), "the check")
    doctor.field("Chercher un diagnostic (code ou mots)").send_keys("palu")
    tap(doctor.until(lambda: doctor.find("button.suggestion"), "the suggestions"))
    tap(doctor.button("Ajouter un médicament"))
    doctor.field("Médicament").send_keys("Artéméther-luméfantrine 20/120 mg")
    doctor.field("Dose").send_keys("4 comprimés")
    doctor.field("Fréquence").send_keys("2 fois par jour")
    doctor.field("Durée").send_keys("3 jours")
    doctor.field("Suivi").send_keys("Revoir dans 7 jours si la fièvre persiste")
    doctor.keep("doctor-completion")
    tap(doctor.button("Envoyer et terminer"))

    # then it is completed, and the patient's call ends saying so
    doctor.until(lambda: "Terminée" in text(doctor), "the completed consultation", 30)
    on_phone.wait_until(
        lambda: on_phone.text("ended-text") == "Le médecin a terminé la consultation.",
        "the call closed",
    )
    # and the patient reads the diagnosis and the prescription in the record
    tap(my_record(patient))
    patient.until(lambda: "Tout mon dossier" in text(patient), "the record")
    tap(patient.find("main a[href='/record/encounters']"))
    patient.until(lambda: "Paludisme" in text(patient), "the encounter", 30)
    assert "Artéméther-luméfantrine 20/120 mg" in text(patient)
    # and the doctor finds it among their completed consultations
    doctor_driver.get(f"{platform.http_url}/doctor/encounters")
    doctor.until(lambda: "Oumou Diallo" in text(doctor) and "B5" in text(doctor), "written")
    doctor.keep("doctor-encounters")
    doctor_driver.get(f"{platform.http_url}/doctor/earnings")
    # (the fee less Keneya's commission, this month, from one paid consultation)
    doctor.until(lambda: doctor.find("table.earnings tbody td").text == "1", "the earnings", 30)
    assert "FCFA" in doctor.find("table.earnings tbody").text
    doctor.keep("doctor-earnings")


def test_a_doctor_reads_the_record_while_the_consultation_allows_it_and_is_told_once_it_does_not(
    platform, aws_endpoint, browsers, verified_doctor
):
    # given a confirmed consultation, and a patient who noted an allergy in their record
    patient, _ = patient_account(platform, "Kadidia Sangaré")
    consultations = Consultations(platform)
    doctor = Person(verified_doctor["id"], "doctor", verified_doctor["token"], "")
    booking = (
        consultations.as_(patient)
        .book(doctor, next_slot(consultations, doctor, timedelta(days=1)))
        .json()
    )
    environment = platform.deployment.services["consultations"].environment
    from tests.support.consultations import Topic

    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name="us-east-1")
    Topic(sns, environment["EVENTS_TOPIC_ARN"]).payment("succeeded", booking)
    consultations.as_(patient).wait_for_status(booking["id"], "confirmed")
    added = requests.post(
        platform.url("records", f"/{patient.user_id}/allergies"),
        json={"substance": "Pénicilline", "reaction": "Urticaire", "severity": "moderate"},
        headers={"Authorization": f"Bearer {patient.token}"},
        timeout=30,
    )
    assert added.status_code == 201, added.text

    # when the doctor opens the patient's record from the consultation
    driver = browsers(PHONE, "fr-FR")
    screen = sign_in(driver, platform.http_url, national(verified_doctor["phone"]), STRONG_PASSWORD)
    driver.get(f"{platform.http_url}/doctor/consultations/{booking['id']}")
    tap(screen.until(lambda: screen.find(f"a[href^='/doctor/patients/{patient.user_id}']"), "link"))

    # then they read it
    screen.until(lambda: "Pénicilline" in text(screen), "the allergy", 30)
    screen.keep("doctor-patient-record")

    # when the patient cancels, and the doctor opens the record again
    cancelled = consultations.as_(patient).act(booking["id"], "cancel", {})
    assert cancelled.status_code == 200, cancelled.text

    def refused() -> bool:
        driver.refresh()
        found = Screen(driver).until(
            lambda: driver.find_elements("css selector", "#record-closed, .facts"), "an answer"
        )
        return any(element.get_attribute("id") == "record-closed" for element in found)

    # then the app says the record is no longer open to them, and why
    screen.until(refused, "the refusal", 30)
    assert "ne vous est plus ouvert" in text(screen)
    assert "Pénicilline" not in text(screen)
    screen.keep("doctor-patient-record-closed")
