"""Who may see a patient's profile: the one place that decides it.

The patient, administrators, and doctors who have a consultation with the patient. Everyone
else is told the profile does not exist (404, never 403), so its existence leaks nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from keneya.tokens import Principal


def may_view_patient(who: Principal, patient_id: str, treats: Callable[[str, str], bool]) -> bool:
    """`treats(doctor_id, patient_id)` is asked only when the answer depends on it."""
    if who.user_id == patient_id or who.role == "admin":
        return True
    if who.role == "doctor":
        return treats(who.user_id, patient_id)
    return False
