"""GET /api/v1/consultations: the caller's own consultations, filtered and paginated."""

from __future__ import annotations

from datetime import timedelta

from tests.support.consultations import iso, next_slot, parse

DAY = timedelta(days=1)


def test_a_patient_pages_through_their_consultations_by_start_time(api, patient, new_doctor):
    doctors = [new_doctor(account=False) for _ in range(3)]
    booked = [
        api.as_(patient).book(doctor, next_slot(api, doctor, (n + 1) * DAY)).json()
        for n, doctor in enumerate(doctors)
    ]
    api.as_(patient).act(booked[1]["id"], "cancel")
    me = api.as_(patient)

    first = me.call("GET", "", params={"limit": 2}).json()
    second = me.call("GET", "", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    cancelled = me.call("GET", "", params={"status": "cancelled"}).json()
    pending = me.call("GET", "", params={"status": "pending_payment,confirmed"}).json()
    later = me.call("GET", "", params={"from": booked[1]["starts_at"]}).json()
    window = me.call(
        "GET",
        "",
        params={"from": booked[0]["starts_at"], "to": booked[2]["starts_at"], "order": "desc"},
    ).json()

    ids = [b["id"] for b in booked]
    assert [c["id"] for c in first["items"]] == ids[:2]
    assert [c["id"] for c in second["items"]] == ids[2:]
    assert second["next_cursor"] is None
    assert [c["id"] for c in cancelled["items"]] == [ids[1]]
    assert [c["id"] for c in pending["items"]] == [ids[0], ids[2]]
    assert [c["id"] for c in later["items"]] == ids[1:]
    assert [c["id"] for c in window["items"]] == [ids[1], ids[0]]


def test_a_doctor_sees_only_their_own_and_a_cursor_works_only_for_its_owner(
    api, new_patient, doctor, new_doctor
):
    someone, other = new_patient(), new_patient("Kadiatou Sidibé")
    mine = api.as_(someone).book(doctor, next_slot(api, doctor, DAY)).json()
    elsewhere = new_doctor(account=False)
    api.as_(someone).book(elsewhere, next_slot(api, elsewhere, 2 * DAY))
    api.as_(someone).book(doctor, next_slot(api, doctor, 3 * DAY))

    agenda = api.as_(doctor).call("GET", "", params={"limit": 1}).json()
    stolen = api.as_(other).call("GET", "", params={"cursor": agenda["next_cursor"]})
    nobody_else = api.as_(other).call("GET", "").json()

    assert [c["id"] for c in agenda["items"]] == [mine["id"]]
    assert agenda["next_cursor"]
    assert stolen.status_code == 400
    assert [e["field"] for e in stolen.json()["errors"]] == ["cursor"]
    assert nobody_else == {"items": [], "next_cursor": None}


def test_bad_filters_are_refused_naming_the_parameter(api, patient):
    me = api.as_(patient)
    now = "2031-03-03T09:00:00Z"

    unknown_status = me.call("GET", "", params={"status": "confirmed,lost"})
    too_many = me.call("GET", "", params={"limit": 500})
    empty_window = me.call("GET", "", params={"from": now, "to": iso(parse(now) - DAY)})

    assert [e["field"] for e in unknown_status.json()["errors"]] == ["status"]
    assert [e["field"] for e in too_many.json()["errors"]] == ["limit"]
    assert [e["field"] for e in empty_window.json()["errors"]] == ["to"]
    assert {r.status_code for r in (unknown_status, too_many, empty_window)} == {400}
