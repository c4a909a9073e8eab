"""Demo accounts for the local stack (`make up ARGS=--seed`): an administrator, four verified
doctors with weekly schedules and fees, and two patients, all with the same password.

One doctor is on call round the clock, every day, in 10-minute slots: whatever the day and hour
`make up` starts, a consultation with them can be booked to start within 15 minutes, and started
by the doctor (from ten minutes before its time) within five, so the whole journey (book, pay,
meet by video, complete, see the record) can be tried at once.

Idempotent: an account that exists is signed into, not created again; a doctor already verified
stays so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Sanou-Kènèya-2026"
ADMIN = {"full_name": "Aminata Keïta", "phone": "+22376000000"}
PATIENTS = [
    {"full_name": "Awa Traoré", "phone": "+22376000011", "language": "fr"},
    {"full_name": "Moussa Diallo", "phone": "+22376000012", "language": "en"},
]
WEEKDAYS_MORNING_AND_AFTERNOON = {
    day: [{"start": "08:00", "end": "12:00"}, {"start": "15:00", "end": "18:00"}]
    for day in ("mon", "tue", "wed", "thu", "fri")
}
ROUND_THE_CLOCK = {
    day: [{"start": "00:00", "end": "24:00"}]
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}
ON_CALL_DOCTOR = {
    "account": {"full_name": "Dr Seydou Konaté", "phone": "+22376000024"},
    "profile": {
        "specialty": "general-practice",
        "languages": ["fr", "bm", "en"],
        "licence_number": "CNOM-ML-10024",
        "city": "Bamako",
        "facility": "Keneya — médecin de garde (démonstration)",
        "biography": "Médecin de garde de démonstration : consultations 24 h/24, 7 j/7, par "
        "créneaux de 10 minutes, pour essayer Keneya à toute heure.",
        "fee_xof": 2000,
    },
    "availability": {"slot_minutes": 10, "weekly": ROUND_THE_CLOCK},
}
DOCTORS = [
    ON_CALL_DOCTOR,
    {
        "account": {"full_name": "Dr Fatoumata Coulibaly", "phone": "+22376000021"},
        "profile": {
            "specialty": "general-practice",
            "languages": ["fr", "bm"],
            "licence_number": "CNOM-ML-10021",
            "city": "Bamako",
            "facility": "Centre de santé de Badalabougou",
            "biography": "Médecin généraliste, consultations en français et en bambara.",
            "fee_xof": 5000,
        },
    },
    {
        "account": {"full_name": "Dr Ibrahim Sangaré", "phone": "+22376000022"},
        "profile": {
            "specialty": "paediatrics",
            "languages": ["fr", "en"],
            "licence_number": "CNOM-ML-10022",
            "city": "Sikasso",
            "facility": "Hôpital régional de Sikasso",
            "biography": "Pédiatre, suivi des nourrissons et des enfants.",
            "fee_xof": 7500,
        },
    },
    {
        "account": {"full_name": "Dr Mariam Touré", "phone": "+22376000023"},
        "profile": {
            "specialty": "gynaecology-obstetrics",
            "languages": ["fr"],
            "licence_number": "CNOM-ML-10023",
            "city": "Bamako",
            "facility": "Clinique Pasteur",
            "biography": "Gynécologue-obstétricienne, suivi de grossesse.",
            "fee_xof": 3000,
        },
    },
]


class Client:
    def __init__(self, stack: Any) -> None:
        self._stack = stack
        self._http = requests.Session()

    def call(self, method: str, service: str, path: str, token: str | None = None, **kw: Any):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self._http.request(
            method, self._stack.url(service, path), headers=headers, timeout=30, **kw
        )

    def account(self, role: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Signed in to the account, registering it first when it does not exist."""
        registered = self.call(
            "POST", "auth", "/register", json={"role": role, "password": PASSWORD, **fields}
        )
        if registered.status_code not in (201, 409):
            raise RuntimeError(f"registering {fields['phone']}: {registered.text}")
        return self.login(fields["phone"])

    def login(self, phone: str) -> dict[str, Any]:
        answer = self.call("POST", "auth", "/login", json={"phone": phone, "password": PASSWORD})
        if answer.status_code != 200:
            raise RuntimeError(f"signing in {phone}: {answer.text}")
        return answer.json()

    def until_ok(self, method: str, service: str, path: str, token: str, **kw: Any) -> Any:
        """The profile appears once `user.registered` has reached the users service."""
        deadline = time.monotonic() + 30
        while True:
            answer = self.call(method, service, path, token, **kw)
            if answer.status_code < 400 or time.monotonic() > deadline:
                return answer
            time.sleep(0.3)


def expect_ok(answer: requests.Response, what: str) -> None:
    if answer.status_code >= 400:
        raise RuntimeError(f"{what}: {answer.status_code} {answer.text}")


def create_admin(stack: Any) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        **stack.deployment.services["auth"].environment,
        "AWS_ENDPOINT_URL": stack.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": stack.region,
        "PYTHONPATH": str(ROOT / "layers" / "common" / "python"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chalicelib.admin",
            "create",
            "--full-name",
            ADMIN["full_name"],
            "--phone",
            ADMIN["phone"],
            "--password-stdin",
        ],
        cwd=ROOT / "functions" / "auth",
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 and "already registered" not in done.stderr + done.stdout:
        raise RuntimeError(f"creating the administrator: {done.stderr.strip()}")


def seed(stack: Any) -> list[str]:
    client = Client(stack)
    create_admin(stack)
    admin = client.login(ADMIN["phone"])
    for patient in PATIENTS:
        client.account("patient", patient)
    for doctor in DOCTORS:
        signed_in = client.account("doctor", doctor["account"])
        token = signed_in["access_token"]
        expect_ok(
            client.until_ok("PATCH", "users", "/me", token, json=doctor["profile"]),
            f"completing the profile of {doctor['account']['full_name']}",
        )
        expect_ok(
            client.until_ok(
                "PUT",
                "users",
                "/me/availability",
                token,
                json=doctor.get(
                    "availability", {"slot_minutes": 30, "weekly": WEEKDAYS_MORNING_AND_AFTERNOON}
                ),
            ),
            f"setting the schedule of {doctor['account']['full_name']}",
        )
        verified = client.call(
            "POST", "users", f"/admin/doctors/{signed_in['user_id']}/verify", admin["access_token"]
        )
        if verified.status_code not in (200, 409):
            raise RuntimeError(f"verifying {doctor['account']['full_name']}: {verified.text}")
    on_call = ON_CALL_DOCTOR["account"]
    return [
        f"password of every demo account: {PASSWORD}",
        f"on call  {on_call['phone']}  {on_call['full_name']}: bookable round the clock, the "
        "next slot within 15 minutes",
        "try it   .venv/bin/python localstack/try_a_consultation.py  (sign-up to a paid "
        "consultation; README: Try a whole consultation)",
        f"admin    {ADMIN['phone']}  {ADMIN['full_name']}",
        *(f"patient  {p['phone']}  {p['full_name']}" for p in PATIENTS),
        *(
            f"doctor   {d['account']['phone']}  {d['account']['full_name']} "
            f"({d['profile']['specialty']}, {d['profile']['fee_xof']} FCFA)"
            for d in DOCTORS
        ),
    ]
