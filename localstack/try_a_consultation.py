"""Take a new patient from sign-up to a confirmed, paid consultation on a running local stack,
using only HTTP: the public API, the message catcher, and the mobile-money sandbox's own pages.

    make up ARGS=--seed          # in one terminal
    .venv/bin/python localstack/try_a_consultation.py [--provider moov_money] [--json]

It signs a patient up (the SMS code read from the message catcher), finds the doctor whose next
free slot is soonest (the seeded on-call doctor's, which the doctor can start within 15 minutes),
books it, pays on the
Orange Money page (or confirms the Moov Money prompt on the phone page) as a payer would, and
waits until the consultation is confirmed. Then it says what to do next: the doctor starts the
consultation, both join the room, the doctor completes it, the record shows the encounter.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
for entry in ("layers/common/python", "localstack"):
    if str(ROOT / entry) not in sys.path:
        sys.path.insert(0, str(ROOT / entry))

import requests  # noqa: E402

from keneya_local.mobile_money.client import Payer  # noqa: E402

BAMAKO = ZoneInfo("Africa/Bamako")
PASSWORD = "Demo-Sanou-Kènèya-2026"
# The doctor may start a consultation ten minutes before its time: a slot starting within 25
# minutes can be started within 15.
START_EARLY = timedelta(minutes=10)
STARTABLE_WITHIN = timedelta(minutes=15)


class Stopped(RuntimeError):
    """A step did not work; the message says which and what the platform answered."""


class Journey:
    def __init__(self, base: str, quiet: bool = False) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "fr"
        self.quiet = quiet
        self.token = ""

    def say(self, step: str, line: str) -> None:
        if not self.quiet:
            print(f"==> {step:<14} {line}", flush=True)

    def api(self, method: str, path: str, expect: tuple[int, ...] = (200,), **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        answer = self.http.request(
            method, f"{self.base}/api/v1{path}", headers=headers, timeout=60, **kw
        )
        if answer.status_code not in expect:
            raise Stopped(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None

    def until(self, what: str, check: Any, timeout: float, interval: float = 0.5) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise Stopped(f"{what}: not within {timeout:.0f} s")
            time.sleep(interval)

    # -- the steps ---------------------------------------------------------------------------

    def sign_up(self) -> str:
        phone = f"+2237{secrets.randbelow(10**7):07d}"
        self.say("Patient", f"signing up {phone} (Awa Démo)")
        self.api(
            "POST",
            "/auth/register",
            (201,),
            json={"role": "patient", "full_name": "Awa Démo", "phone": phone, "password": PASSWORD},
        )
        self.api("POST", "/auth/otp/send", (202,), json={"phone": phone, "purpose": "verify_phone"})
        code = self.until("the SMS code in the message catcher", lambda: self._code(phone), 30)
        self.api(
            "POST",
            "/auth/otp/verify",
            (200, 204),
            json={"phone": phone, "code": code, "purpose": "verify_phone"},
        )
        self.say("Phone", "verified with the code read from the message catcher")
        grant = self.api("POST", "/auth/login", json={"phone": phone, "password": PASSWORD})
        self.token = grant["access_token"]
        return phone

    def _code(self, phone: str) -> str | None:
        caught = self.http.get(f"{self.base}/_local/messages.json", timeout=30).json()
        for message in caught["messages"]:
            if message["channel"] == "sms" and phone in message["to"]:
                found = re.search(r"\b(\d{6})\b", message["body"])
                if found:
                    return found.group(1)
        return None

    def soonest_slot(self) -> tuple[dict[str, Any], str]:
        """The doctor and free slot that start soonest: one the doctor can start within 15
        minutes."""
        now = datetime.now(UTC)
        latest = now + STARTABLE_WITHIN + START_EARLY
        window = {"from": _iso(now), "to": _iso(latest)}
        best: tuple[str, dict[str, Any]] | None = None
        for doctor in self.api("GET", "/users/doctors", params={"limit": 50})["items"]:
            slots = self.api(
                "GET", "/consultations/slots", params={"doctor_id": doctor["id"], **window}
            )["slots"]
            if slots and (best is None or slots[0]["starts_at"] < best[0]):
                best = (slots[0]["starts_at"], doctor)
        if best is None or _parse(best[0]) > latest:
            raise Stopped(
                "no doctor has a free slot that can be started within 15 minutes: start the "
                "stack with `make up ARGS=--seed` (its on-call doctor is bookable round the clock)"
            )
        starts_at, doctor = best
        minutes = (_parse(starts_at) - now).total_seconds() / 60
        self.say(
            "Doctor",
            f"{doctor.get('full_name')}, next slot {_local(starts_at)} (Bamako), "
            f"in {minutes:.0f} min",
        )
        return doctor, starts_at

    def book(self, doctor: dict[str, Any], starts_at: str) -> dict[str, Any]:
        booking = self.api(
            "POST",
            "/consultations",
            (201,),
            json={
                "doctor_id": doctor["id"],
                "starts_at": starts_at,
                "reason": "Fièvre depuis deux jours",
                "mode": "video",
            },
            headers={"Idempotency-Key": f"try-{uuid.uuid4().hex}"},
        )
        self.say(
            "Booking",
            f"{booking['id']} {booking['status']}, {booking.get('fee_xof')} FCFA, "
            f"to pay by {_local(booking.get('payment_due_at') or starts_at)} (Bamako)",
        )
        return booking

    def pay(self, booking: dict[str, Any], provider: str, phone: str) -> dict[str, Any]:
        key = f"pay-{uuid.uuid4().hex}"

        def create() -> Any:
            answer = self.http.post(
                f"{self.base}/api/v1/payments",
                json={"consultation_id": booking["id"], "provider": provider, "phone": phone},
                headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key},
                timeout=60,
            )
            if answer.status_code == 404:  # the booking's event has not reached payments yet
                return None
            if answer.status_code != 201:
                raise Stopped(f"POST /payments: {answer.status_code} {answer.text[:300]}")
            return answer.json()

        intent = self.until("the payments service hearing of the booking", create, 30)
        action = intent.get("next_action") or {}
        payer = Payer()
        if provider == "orange_money":
            if action.get("type") != "redirect":
                raise Stopped(f"Orange Money gave no page to pay on: {intent}")
            self.say("Payment", f"Orange Money page {action['url']}")
            answer = payer.pay_on_orange_money(action["url"], phone[-8:], "pay")
            back = answer.headers.get("Location", "")
            if answer.status_code != 302 or not back:
                raise Stopped(f"the payment page did not send the payer back: {answer.text[:300]}")
            returned = self.http.get(back, timeout=30)
            self.say("Payer", f"paid on the sandbox page, back at {back} ({returned.status_code})")
        else:
            moov = action.get("type") == "confirm_on_phone"
            if not moov:
                raise Stopped(f"Moov Money asked for nothing to confirm: {intent}")
            sandbox = f"{self.base}/_sandbox/moov-money"
            self.say("Payment", f"Moov Money prompt sent to {phone}: {sandbox}/phone")
            prompt = payer.answer_moov_prompt(sandbox, phone, intent["id"], "pay")
            if prompt.status_code != 200:
                raise Stopped(f"the phone page refused the answer: {prompt.text[:300]}")
            self.say("Payer", "confirmed the prompt with a PIN; the reconciler polls Moov Money")
        return intent

    def confirmed(self, booking: dict[str, Any], timeout: float) -> dict[str, Any]:
        def status() -> Any:
            found = self.api("GET", f"/consultations/{booking['id']}")
            return found if found["status"] == "confirmed" else None

        found = self.until("the consultation's confirmation", status, timeout)
        self.say("Confirmed", f"consultation {booking['id']} is confirmed and paid")
        return found


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _local(text: str) -> str:
    return _parse(text).astimezone(BAMAKO).strftime("%H:%M")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:3000", help="the stack's HTTP URL")
    parser.add_argument(
        "--provider", choices=("orange_money", "moov_money"), default="orange_money"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
    args = parser.parse_args(argv)
    journey = Journey(args.base)
    try:
        phone = journey.sign_up()
        doctor, starts_at = journey.soonest_slot()
        booking = journey.book(doctor, starts_at)
        intent = journey.pay(booking, args.provider, phone)
        # Moov Money has no callback: the reconciler (every minute) finds the confirmation.
        consultation = journey.confirmed(booking, 30 if args.provider == "orange_money" else 240)
    except (Stopped, requests.RequestException) as error:
        print(f"==> stopped: {error}", file=sys.stderr)
        return 1
    can_start = _parse(consultation["starts_at"]) - START_EARLY
    print(
        "\nNext, as in the README (Try a whole consultation):\n"
        f"  1. The doctor starts it from {can_start.astimezone(BAMAKO):%H:%M} (Bamako): "
        f"POST {args.base}/api/v1/consultations/{booking['id']}/start with the doctor's token\n"
        f"     (sign in as {doctor.get('full_name')} with the demo password).\n"
        f"  2. Both open {args.base}/consultations/{booking['id']}/call and join: the patient "
        f"signs in as {phone} / {PASSWORD}.\n"
        f"  3. The doctor completes it (POST .../complete with a diagnosis); the patient's record "
        f"shows the encounter: GET {args.base}/api/v1/records/<patient id>/encounters."
    )
    if args.json:
        print(
            json.dumps(
                {
                    "consultation_id": booking["id"],
                    "status": consultation["status"],
                    "starts_at": consultation["starts_at"],
                    "can_start_at": _iso(can_start),
                    "payment_id": intent["id"],
                    "doctor_id": doctor["id"],
                    "patient_phone": phone,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
