"""Reminders go out 24 hours and 1 hour before a confirmed consultation, once each."""

from __future__ import annotations

from datetime import timedelta

from tests.support.consultations import next_slot, parse, scheduled_event

DAY = timedelta(days=1)


def test_each_reminder_fires_once_and_a_cancelled_consultation_gets_none(
    platform, api, patient, new_doctor, published
):
    doctor = new_doctor(fee_xof=0, account=False)
    kept = api.as_(patient).book(doctor, next_slot(api, doctor, 2 * DAY)).json()
    dropped = api.as_(patient).book(doctor, next_slot(api, doctor, 4 * DAY)).json()
    api.as_(patient).act(dropped["id"], "cancel")
    starts_at = parse(kept["starts_at"])

    def sweep(before_start: timedelta) -> None:
        at = starts_at - before_start
        platform.invoke("consultations", "sweep_due_work", scheduled_event(at))

    sweep(timedelta(hours=25))
    sweep(timedelta(hours=24) - timedelta(minutes=1))
    sweep(timedelta(hours=23))
    sweep(timedelta(minutes=59))
    sweep(timedelta(minutes=30))
    platform.invoke(
        "consultations", "sweep_due_work", scheduled_event(parse(dropped["starts_at"]) - DAY)
    )

    published.wait_for("consultation.reminder_due", consultation_id=kept["id"], minutes_before=60)
    reminders = published.all_of("consultation.reminder_due", patient_id=patient.user_id)
    assert sorted((e.data["consultation_id"], e.data["minutes_before"]) for e in reminders) == [
        (kept["id"], 60),
        (kept["id"], 1440),
    ]
    day_before = published.all_of(
        "consultation.reminder_due", minutes_before=1440, consultation_id=kept["id"]
    )[0]
    assert parse(day_before.data["starts_at"]) == starts_at
    assert day_before.data["doctor_name"] == doctor.full_name
