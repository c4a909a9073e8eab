"""Paying for consultations over HTTP on the whole platform, against the mobile-money sandboxes
of the local runtime (the payer uses their pages' forms, faults come through their control API):
booking through the consultations service, paying through each provider, and the ledger
balancing after every test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.consultations import next_slot, scheduled_event
from tests.support.payments import Payments, answer_on_the_phone, pay_on_the_hosted_page, reconcile
from tests.support.people import eventually

pytestmark = pytest.mark.usefixtures("ledger_balances")
DAY = timedelta(days=1)


def a_booking(api: Any, patient: Any, doctor: Any) -> dict[str, Any]:
    response = api.as_(patient).book(doctor, next_slot(api, doctor, DAY))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending_payment"
    return response.json()


def test_paying_with_orange_money_confirms_the_consultation_and_tells_the_patient(
    platform, api, payments, patient, new_doctor, orange, payment_events, published
):
    # given a patient's booking of a doctor whose fee is 7 500 XOF
    doctor = new_doctor(fee_xof=7500)
    booking = a_booking(api, patient, doctor)
    # when they pay with Orange Money on the hosted page
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    assert (intent["status"], intent["amount_xof"], intent["currency"]) == (
        "pending",
        7500,
        "XOF",
    )
    assert intent["next_action"]["type"] == "redirect"
    pay_on_the_hosted_page(intent, "pay")
    # then the provider's notification, confirmed by its status API, settles the payment
    paid = payments.as_(patient).wait_for_status(intent["id"], "succeeded")
    assert paid["next_action"] is None
    notified = eventually(
        lambda: orange.order(intent["id"])["notification"] == {"sent": True, "answer": 200}
    )
    assert notified, orange.order(intent["id"])
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"], amount_xof=7500)
    # the consultation is confirmed, and the patient is told
    api.as_(patient).wait_for_status(booking["id"], "confirmed")
    inbox = Payments(platform, patient)
    told = eventually(
        lambda: (
            intent["id"]
            in inbox.http.get(
                platform.url("notifications", "/"),
                headers={"Authorization": f"Bearer {patient.token}"},
                timeout=30,
            ).text
        ),
        timeout=20,
    )
    assert told, "the patient's inbox never showed the payment"
    # and the doctor's earnings show the fee less the 10 % commission
    earnings = payments.as_(doctor).call("GET", "/earnings").json()
    assert earnings["net_xof"] == 6750
    assert earnings["totals"][0]["payments"] == 1


def test_paying_with_moov_money_is_confirmed_on_the_phone_then_by_reconciliation(
    platform, api, payments, patient, new_doctor, moov, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "moov_money")
    assert intent["next_action"] == {"type": "confirm_on_phone", "url": None}
    # when the payer confirms the USSD prompt and the reconciler next runs
    answer_on_the_phone(moov, intent, "pay")
    counts = reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    # then the payment succeeded and the consultation is confirmed
    assert counts["succeeded"] >= 1
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "succeeded"
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"])
    api.as_(patient).wait_for_status(booking["id"], "confirmed")


def test_a_refused_payment_fails_and_releases_the_slot(
    api, payments, patient, new_doctor, new_patient, orange, payment_events
):
    doctor = new_doctor(account=False)
    booking = a_booking(api, patient, doctor)
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    pay_on_the_hosted_page(intent, "refuse")
    failed = payments.as_(patient).wait_for_status(intent["id"], "failed")
    assert failed["status_text"]["fr"] == "Paiement refusé"
    payment_events.wait_for("payment.failed", payment_id=intent["id"])
    api.as_(patient).wait_for_status(booking["id"], "expired")
    again = api.as_(new_patient()).book(doctor, booking["starts_at"])
    assert again.status_code == 201, again.text


def test_an_unpaid_intent_expires_at_the_bookings_payment_deadline(
    platform, api, payments, patient, new_doctor, moov, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "moov_money")
    # the deadline is the one the consultations service set (from `consultation.booked`)
    due = datetime.fromisoformat(booking["payment_due_at"])
    assert datetime.fromisoformat(intent["expires_at"]) == due
    # still pending a minute before (the provider says so), expired after it
    reconcile(platform, due - timedelta(minutes=1))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "pending"
    reconcile(platform, due + timedelta(seconds=30))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "expired"
    payment_events.wait_for("payment.expired", payment_id=intent["id"])


def test_forged_unknown_and_replayed_notifications_change_nothing(
    platform, api, payments, patient, new_doctor, orange, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    url = platform.url("payments", f"/notifications/orange_money/{intent['id']}")
    order = orange.order(intent["id"])
    # a forged notification (wrong token) is refused and the payment stays pending
    forged = requests.post(url, json={"status": "SUCCESS", "notif_token": "x", "txnid": "MP1"})
    assert forged.status_code == 409
    assert forged.json()["errors"][0]["field"] == "notif_token"
    # a notification with the right token but no payment at the provider settles nothing
    early = requests.post(url, json={"status": "SUCCESS", "notif_token": order["notif_token"]})
    assert early.json() == {"status": "pending"}
    unknown = platform.url("payments", "/notifications/orange_money/pay_unknown")
    assert requests.post(unknown, json={"notif_token": order["notif_token"]}).status_code == 404
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "pending"
    # once paid, a replay of the notification is answered 200 and changes nothing
    pay_on_the_hosted_page(intent, "pay")
    payments.as_(patient).wait_for_status(intent["id"], "succeeded")
    replay = requests.post(
        url,
        json={
            "status": "SUCCESS",
            "notif_token": order["notif_token"],
            "txnid": orange.order(intent["id"])["txnid"],
        },
    )
    assert replay.json() == {"status": "succeeded"}
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"])
    assert len(payment_events.all_of("payment.succeeded", payment_id=intent["id"])) == 1


def test_a_confirmation_of_another_amount_is_not_recorded_as_paid(
    api, payments, patient, new_doctor, orange, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False, fee_xof=5000))
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    orange.report_amount(intent["id"], 500)
    pay_on_the_hosted_page(intent, "pay")
    failed = payments.as_(patient).wait_for_status(intent["id"], "failed")
    assert failed["failure_reason"] == "amount_mismatch"
    payment_events.wait_for("payment.failed", payment_id=intent["id"], reason="amount_mismatch")
    assert not payment_events.all_of("payment.succeeded", payment_id=intent["id"])


def test_a_provider_timeout_is_recovered_by_reconciliation(
    platform, api, payments, patient, new_doctor, orange
):
    booking = a_booking(api, patient, new_doctor(account=False))
    # given Orange Money times out on the payment request
    orange.fail("webpayment", status=503, delay_seconds=3)
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    # then the intent is kept, pending, without a page to go to yet
    assert (intent["status"], intent["next_action"]) == ("pending", None)
    # when the reconciler runs after the backoff, the request is made again
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=1))
    retried = payments.as_(patient).get(intent["id"]).json()
    assert retried["next_action"]["type"] == "redirect"
    # and a status query that times out is retried too
    orange.fail("transactionstatus", status=503, delay_seconds=3)
    pay_on_the_hosted_page(retried, "pay")
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "pending"
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=2))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "succeeded"
    api.as_(patient).wait_for_status(booking["id"], "confirmed")


def test_retries_with_one_idempotency_key_make_one_intent(
    api, payments, patient, new_doctor, new_patient, orange, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    key = f"retry-{booking['id']}"
    first = payments.as_(patient).pay_when_known(booking, "orange_money", key=key)
    # when the same request is retried with the same key
    again = payments.as_(patient).pay(booking, "orange_money", key=key)
    # then it answers the same intent, saying it is a replay
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    # the same key with another request is refused, naming the key
    other = payments.as_(patient).pay(booking, "moov_money", key=key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    # a malformed key is refused as the consultations service refuses it: 400, naming it
    malformed = payments.as_(patient).pay(booking, "orange_money", key="bad key!")
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["field"] == "Idempotency-Key"
    # another key while an intent is live: 409, one consultation never has two live intents
    second = payments.as_(patient).pay(booking, "orange_money", key=f"other-{booking['id']}")
    assert second.status_code == 409, second.text
    assert second.json()["errors"][0]["field"] == "consultation_id"
    listed = payments.as_(patient).call("GET", "").json()["items"]
    assert [i["id"] for i in listed if i["consultation_id"] == booking["id"]] == [first["id"]]
    payment_events.wait_for("payment.initiated", payment_id=first["id"])
    assert len(payment_events.all_of("payment.initiated", consultation_id=booking["id"])) == 1
    # someone else sees nothing of it, and cannot pay another's consultation
    stranger = new_patient()
    assert payments.as_(stranger).get(first["id"]).status_code == 404
    assert payments.as_(stranger).pay(booking, "orange_money").status_code == 404


def test_invalid_requests_name_the_field_and_only_patients_pay(api, payments, patient, new_doctor):
    doctor = new_doctor()
    booking = a_booking(api, patient, doctor)
    bad = payments.as_(patient).pay(booking, "wave")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "provider"
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    phone = payments.as_(patient).pay(booking, "orange_money", phone="76123456")
    assert phone.json()["errors"][0]["field"] == "phone"
    assert payments.as_(doctor).pay(booking, "orange_money").status_code == 403
    assert payments.call("GET", "/earnings").status_code == 401


def test_a_cancelled_paid_consultation_is_refunded_through_moov_money(
    platform, api, payments, patient, new_doctor, moov, payment_events
):
    doctor = new_doctor(account=False, fee_xof=6000)
    booking = a_booking(api, patient, doctor)
    intent = payments.as_(patient).pay_when_known(booking, "moov_money")
    answer_on_the_phone(moov, intent, "pay")
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    api.as_(patient).wait_for_status(booking["id"], "confirmed")
    # when the patient cancels a day ahead (a refund is due)
    cancelled = api.as_(patient).act(booking["id"], "cancel", {"note": "Empêchement"})
    assert cancelled.status_code == 200, cancelled.text
    # then the fee goes back to the payer's phone and the patient sees it
    refunded = payments.as_(patient).wait_for_status(intent["id"], "refunded", timeout=20)
    assert refunded["refund_status"] == "refunded"
    assert any(d["msisdn"] == "22376123456" and d["amount"] == 6000 for d in moov.disbursements())
    payment_events.wait_for("payment.refunded", payment_id=intent["id"], amount_xof=6000)


def test_an_orange_money_refund_waits_for_an_administrator(
    platform, aws_endpoint, api, payments, patient, new_doctor, orange, payment_events
):
    from tests.support.consultations import sign_up_admin

    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    pay_on_the_hosted_page(intent, "pay")
    payments.as_(patient).wait_for_status(intent["id"], "succeeded")
    api.as_(patient).wait_for_status(booking["id"], "confirmed")
    api.as_(patient).act(booking["id"], "cancel", {})
    queued = eventually(
        lambda: payments.as_(patient).get(intent["id"]).json()["refund_status"] == "queued",
        timeout=20,
    )
    assert queued
    admin = sign_up_admin(platform, aws_endpoint)
    waiting = payments.as_(admin).call("GET", "/refunds").json()["items"]
    mine = [r for r in waiting if r["payment_id"] == intent["id"]]
    assert mine and mine[0]["payer_phone"] == "+22376123456"
    assert payments.as_(patient).call("GET", "/refunds").status_code == 403
    done = payments.as_(admin).call(
        "POST", f"/refunds/{intent['id']}/paid", {"reference": "OM-REFUND-0001"}
    )
    assert done.status_code == 200, done.text
    seen = payments.as_(patient).get(intent["id"]).json()
    assert (seen["status"], seen["refund_reference"]) == ("refunded", "OM-REFUND-0001")
    assert seen["refunded_at"] is not None
    payment_events.wait_for("payment.refunded", payment_id=intent["id"])


def test_a_notification_that_never_comes_is_reconciled_through_the_status_api(
    platform, api, payments, patient, new_doctor, orange, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    # given Orange Money will never call the notification URL of this payment
    orange.fail("notification", drop=True)
    # when the payer pays on the hosted page
    pay_on_the_hosted_page(intent, "pay")
    assert orange.order(intent["id"])["notification"]["sent"] is False
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "pending"
    # then the reconciler asks the status API and settles it
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "succeeded"
    payment_events.wait_for("payment.succeeded", payment_id=intent["id"])
    api.as_(patient).wait_for_status(booking["id"], "confirmed")


def test_a_provider_that_keeps_failing_is_retried_then_the_payment_ends_cleanly(
    platform, api, payments, patient, new_doctor, orange, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    # given Orange Money answers every payment request with an error
    orange.fail("webpayment", status=503, times=100)
    intent = payments.as_(patient).pay_when_known(booking, "orange_money")
    assert (intent["status"], intent["next_action"]) == ("pending", None)
    requests_made = orange.calls()["webpayment"]
    created = datetime.fromisoformat(intent["created_at"])
    # when the reconciler runs during the payment window, the request is made again each time
    for minutes in (2, 6, 12):
        reconcile(platform, created + timedelta(minutes=minutes))
        assert payments.as_(patient).get(intent["id"]).json()["status"] == "pending"
    assert orange.calls()["webpayment"] > requests_made
    # then once the window is over the payment expires and the slot is released
    reconcile(platform, created + timedelta(minutes=16))
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "expired"
    payment_events.wait_for("payment.expired", payment_id=intent["id"])
    # and the consultations service's own sweep, at the same moment, frees the slot
    platform.invoke(
        "consultations", "sweep_due_work", scheduled_event(created + timedelta(minutes=16))
    )
    api.as_(patient).wait_for_status(booking["id"], "expired")


def test_refusing_the_moov_money_prompt_fails_the_payment(
    platform, api, payments, patient, new_doctor, moov, payment_events
):
    booking = a_booking(api, patient, new_doctor(account=False))
    intent = payments.as_(patient).pay_when_known(booking, "moov_money")
    # when the payer refuses the prompt on their phone
    answer_on_the_phone(moov, intent, "refuse")
    reconcile(platform, datetime.now(UTC) + timedelta(minutes=3))
    # then the payment fails and the consultation is never confirmed
    assert payments.as_(patient).get(intent["id"]).json()["status"] == "failed"
    payment_events.wait_for("payment.failed", payment_id=intent["id"])
    api.as_(patient).wait_for_status(booking["id"], "expired")
