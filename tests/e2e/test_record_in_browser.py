"""The patient's record in a real browser, as a patient on a phone keeps it (the issue's flow 3):
open My record, add an allergy and correct it, add another and remove it, record a blood
pressure (a swapped one is refused first), upload a photo, share the record with a doctor until
a date, see that doctor's reading in the access log, download the FHIR export, revoke the share.
Every screen is left as a phone-size screenshot in build/artifacts/ and checked with axe-core."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import requests

from tests.support.auth import STRONG_PASSWORD, national, new_phone

from .app_screen import DOCTOR, my_record, open_section, sign_in, tap, text

pytestmark = pytest.mark.slow

# A one-pixel PNG: what the records service checks an image upload's first bytes against.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def choose(element, visible_text: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(element).select_by_visible_text(visible_text)


def downloaded(folder: Path, pattern: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {pattern} downloaded into {folder}: {list(folder.iterdir())}")


def test_a_patient_keeps_their_record_shares_it_with_a_doctor_and_sees_who_read_it(
    platform, phone_browser, verified_doctor, tmp_path
):
    from tests.support.auth import Api as AuthApi

    # given a patient registered on the platform
    auth = AuthApi(platform.url("auth"))
    phone = new_phone()
    account = auth.register(role="patient", full_name="Fatoumata Diarra", phone=phone)
    patient_id = account["user_id"]
    record_url = platform.url("records", f"/{patient_id}")
    as_doctor = {"Authorization": f"Bearer {verified_doctor['token']}"}
    screen = sign_in(phone_browser, platform.http_url, national(phone), STRONG_PASSWORD)

    # when they open My record: the summary and the way to every section
    my_record(screen).click()
    screen.until(lambda: "Tout mon dossier" in text(screen), "the record's summary")
    assert "Résumé" in text(screen)
    screen.keep("record")

    # they add an allergy
    open_section(screen, "/record/allergies", "Allergies")
    screen.field("Substance ou médicament").send_keys("Pénicilline")
    screen.field("Réaction (facultatif)").send_keys("Urticaire")
    choose(screen.field("Gravité"), "Sévère")
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "Enregistré." in text(screen), "the allergy saved")
    assert "Pénicilline" in text(screen) and "Sévère" in text(screen)
    # then correct it (the API has no edit of an allergy: the corrected one replaces it)
    tap(screen.button("Corriger"))
    screen.until(lambda: "Corriger « Pénicilline »" in text(screen), "the correction form")
    substance = screen.field("Substance ou médicament")
    substance.clear()
    substance.send_keys("Amoxicilline")
    screen.keep("record-allergy-correct")
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "Corrigé." in text(screen), "the allergy corrected")
    assert "Pénicilline" not in text(screen)
    # and add another one by mistake, then remove it
    screen.field("Substance ou médicament").send_keys("Arachide")
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "Arachide" in text(screen), "the second allergy")
    removes = "//button[.='Supprimer']"
    screen.until(lambda: len(phone_browser.find_elements("xpath", removes)) == 2, "two entries")
    tap(phone_browser.find_elements("xpath", removes)[1])
    question = "Supprimer « Arachide » de votre dossier ?"
    screen.until(lambda: question in text(screen), "the question")
    screen.keep("record-allergy-remove")
    tap(screen.button("Oui, supprimer"))
    screen.until(lambda: "Supprimé." in text(screen), "the allergy removed")
    assert "Arachide" not in text(screen) and "Amoxicilline" in text(screen)
    screen.keep("record-allergies")

    # a medication they stopped taking is marked so (the API changes its status in place)
    open_section(screen, "/record/medications", "Médicaments")
    screen.field("Médicament").send_keys("Paracétamol 500 mg")
    screen.field("Combien de fois (facultatif)").send_keys("3 fois par jour")
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "Paracétamol 500 mg" in text(screen), "the medication")
    tap(screen.button("Marquer arrêté"))
    screen.until(lambda: screen.find(".status[data-status=stopped]"), "the medication stopped")
    assert "Arrêté" in text(screen)
    screen.keep("record-medications")
    # the other sections open too, empty for a new patient
    for href, heading, name in (
        ("/record/encounters", "Consultations terminées", "record-encounters"),
        ("/record/conditions", "Maladies et problèmes de santé", "record-conditions"),
        ("/record/vaccinations", "Vaccinations", "record-vaccinations"),
    ):
        open_section(screen, href, heading)
        screen.keep(name)

    # they record their blood pressure: numbers swapped are refused before anything is sent
    open_section(screen, "/record/vitals", "Constantes (tension, poids…)")
    screen.field("Grand chiffre (systolique), mmHg").send_keys("80")
    screen.field("Petit chiffre (diastolique), mmHg").send_keys("128")
    tap(screen.button("Enregistrer"))
    screen.until(
        lambda: "Le grand chiffre doit être plus haut que le petit." in text(screen), "the refusal"
    )
    screen.keep("record-vitals-refused")
    screen.field("Grand chiffre (systolique), mmHg").clear()
    screen.field("Grand chiffre (systolique), mmHg").send_keys("128")
    screen.field("Petit chiffre (diastolique), mmHg").clear()
    screen.field("Petit chiffre (diastolique), mmHg").send_keys("82")
    tap(screen.button("Enregistrer"))
    screen.until(lambda: "128/82 mmHg" in text(screen), "the reading in the history")
    screen.keep("record-vitals")

    # they upload a photo of a prescription (from the files; the camera is the other control)
    photo = tmp_path / "ordonnance_du_medecin.png"
    photo.write_bytes(PNG)
    open_section(screen, "/record/documents", "Documents (analyses, ordonnances…)")
    screen.until(lambda: screen.find("input[type=file][capture]"), "the camera control")
    screen.find("#rec-file").send_keys(str(photo))
    screen.until(lambda: screen.field("Titre").get_attribute("value"), "the title from the file")
    assert screen.field("Titre").get_attribute("value") == "ordonnance du medecin"
    choose(screen.field("Type de document"), "Ordonnance")
    tap(screen.button("Envoyer le document"))
    screen.until(lambda: "Document ajouté à votre dossier." in text(screen), "the upload", 30)
    assert "ordonnance du medecin" in text(screen)
    screen.keep("record-documents")
    attachments = requests.get(
        f"{record_url}/attachments", headers=as_doctor, timeout=30
    )  # not shared yet: the doctor sees nothing, as if there were no record
    assert attachments.status_code == 404

    # they share the record with the verified doctor, until the date offered (in 30 days)
    open_section(screen, "/record/shares", "Partager avec un médecin")
    screen.field("Nom du médecin").send_keys("Sissoko")
    tap(screen.button("Chercher"))
    choice = f"input[name=doctor][value='{verified_doctor['id']}']"
    tap(screen.until(lambda: screen.find(choice), "the doctor among the results"))
    until = screen.field("Jusqu'au (inclus)").get_attribute("value")
    assert until  # yyyy-mm-dd, thirty days on
    screen.keep("record-share-new")
    tap(screen.button("Partager mon dossier"))
    screen.until(lambda: f"Dossier partagé avec {DOCTOR}" in text(screen), "the share")
    screen.until(lambda: "Peut lire votre dossier jusqu'au" in text(screen), "the active share")
    screen.keep("record-shares")

    # then the doctor reads the record through the API
    read = requests.get(record_url, headers=as_doctor, timeout=30)
    assert read.status_code == 200, read.text
    assert [a["substance"] for a in read.json()["allergies"]] == ["Amoxicilline"]
    assert read.json()["latest_vitals"][0]["systolic"] == 128
    assert [m["status"] for m in read.json()["medications"]] == ["stopped"]
    documents = requests.get(f"{record_url}/attachments", headers=as_doctor, timeout=30).json()
    assert [d["title"] for d in documents["items"]] == ["ordonnance du medecin"]

    # and the patient sees it in the access log, by the doctor's name, through the share
    open_section(screen, "/record/access-log", "Qui a vu mon dossier")
    screen.until(lambda: DOCTOR in text(screen), "the doctor's name in the log")
    assert "Lecture : le dossier (grâce à un partage)" in text(screen)
    assert "Vous" not in text(screen)  # their own accesses only on request
    screen.keep("record-access-log")

    # the FHIR export downloads as a file holding the record
    folder = tmp_path / "downloads"
    folder.mkdir()
    phone_browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    my_record(screen).click()
    screen.until(lambda: "Tout mon dossier" in text(screen), "the record's summary")
    assert "Amoxicilline" in text(screen) and "128/82 mmHg" in text(screen)
    tap(screen.button("Télécharger mon dossier (FHIR)"))
    screen.until(lambda: "Fichier prêt : keneya-dossier-" in text(screen), "the export")
    assert screen.find("a[data-export]").get_attribute("href").startswith("blob:")
    bundle = json.loads(downloaded(folder, "keneya-dossier-*.json").read_text())
    assert bundle["resourceType"] == "Bundle"
    resources = [entry["resource"] for entry in bundle["entry"]]
    allergies = [r["code"]["text"] for r in resources if r["resourceType"] == "AllergyIntolerance"]
    assert allergies == ["Amoxicilline"]
    assert any(r["resourceType"] == "Observation" for r in resources)
    # and the phone keeps the record's pages for offline use, but never the exported file
    kept = phone_browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "caches.open('keneya-v1').then((c) => c.keys())"
        ".then((keys) => done(keys.map((k) => new URL(k.url).pathname)), () => done(null));"
    )
    assert any(path.startswith("/api/v1/records/") for path in kept), kept
    assert not [path for path in kept if path.endswith("/fhir")], kept
    screen.keep("record-summary")

    # when they revoke the share, the doctor can no longer read the record
    open_section(screen, "/record/shares", "Partager avec un médecin")
    tap(screen.button("Retirer l'accès"))
    screen.until(lambda: f"Retirer à {DOCTOR} l'accès" in text(screen), "the question")
    tap(screen.button("Oui, retirer l'accès"))
    screen.until(lambda: "Accès retiré le" in text(screen), "the revoked share")
    screen.keep("record-shares-revoked")
    assert requests.get(record_url, headers=as_doctor, timeout=30).status_code == 404
    # and the refused attempt is in their access log too
    open_section(screen, "/record/access-log", "Qui a vu mon dossier")
    screen.until(lambda: "Accès refusé : le dossier" in text(screen), "the refused attempt")
