"""What people read when a request fails, in French (the default) and English."""

from __future__ import annotations

from keneya.i18n import Language, translate

TEXTS: dict[str, dict[Language, str]] = {
    "consultation_not_found": {
        "fr": "Cette consultation n'existe pas.",
        "en": "This consultation does not exist.",
    },
    "doctor_not_found": {
        "fr": "Ce médecin n'existe pas ou ne prend pas de rendez-vous.",
        "en": "This doctor does not exist or does not take appointments.",
    },
    "doctor_not_bookable": {
        "fr": "Ce médecin ne peut pas être réservé.",
        "en": "This doctor cannot be booked.",
    },
    "not_in_schedule": {
        "fr": "Cet horaire n'est pas un créneau du médecin.",
        "en": "This time is not one of the doctor's slots.",
    },
    "too_soon": {
        "fr": "Ce créneau commence trop tôt pour être réservé.",
        "en": "This slot starts too soon to be booked.",
    },
    "too_far": {
        "fr": "Ce créneau est trop lointain pour être réservé.",
        "en": "This slot is too far ahead to be booked.",
    },
    "slot_taken": {
        "fr": "Ce créneau vient d'être réservé par quelqu'un d'autre.",
        "en": "This slot has just been booked by someone else.",
    },
    "patient_busy": {
        "fr": "Vous avez déjà une consultation à cette heure-là.",
        "en": "You already have a consultation at that time.",
    },
    "idempotency_key_reused": {
        "fr": "Cette clé Idempotency-Key a déjà servi pour une autre demande.",
        "en": "This Idempotency-Key was already used for another request.",
    },
    "illegal_transition": {
        "fr": "Impossible : la consultation est « {status} ».",
        "en": "Not possible: the consultation is {status}.",
    },
    "outside_window": {
        "fr": "Pas maintenant : c'est possible de {opens} à {closes} (UTC).",
        "en": "Not now: this is possible from {opens} to {closes} (UTC).",
    },
    "not_your_action": {
        "fr": "Seul le {role} peut faire cela.",
        "en": "Only the {role} can do this.",
    },
    "invalid_cursor": {
        "fr": "Ce curseur de pagination n'est pas valable.",
        "en": "This pagination cursor is not valid.",
    },
    "window_empty": {
        "fr": "La fin de la période doit suivre son début.",
        "en": "The end of the period must come after its start.",
    },
    "window_too_long": {
        "fr": "La période demandée est trop longue (31 jours au plus).",
        "en": "The period asked for is too long (31 days at most).",
    },
    "busy": {
        "fr": "La consultation change en ce moment ; réessayez.",
        "en": "The consultation is changing right now; try again.",
    },
    "invalid_input": {
        "fr": "Certains champs sont manquants ou invalides.",
        "en": "Some fields are missing or invalid.",
    },
    "patients_only": {
        "fr": "Seuls les patients réservent des consultations.",
        "en": "Only patients book consultations.",
    },
    "participants_only": {
        "fr": "Seuls les patients et les médecins ont des consultations.",
        "en": "Only patients and doctors have consultations.",
    },
    "doctor": {"fr": "médecin", "en": "doctor"},
    "patient": {"fr": "patient", "en": "patient"},
    "anytime": {"fr": "—", "en": "—"},
}

STATUS_NAMES: dict[str, dict[Language, str]] = {
    "pending_payment": {"fr": "en attente de paiement", "en": "awaiting payment"},
    "confirmed": {"fr": "confirmée", "en": "confirmed"},
    "in_progress": {"fr": "en cours", "en": "in progress"},
    "completed": {"fr": "terminée", "en": "completed"},
    "cancelled": {"fr": "annulée", "en": "cancelled"},
    "expired": {"fr": "expirée", "en": "expired"},
    "no_show": {"fr": "marquée absente", "en": "marked as a no-show"},
}


def text(key: str, language: Language, **values: str) -> str:
    return translate(TEXTS, key, language, **values)


def status_name(status: str, language: Language) -> str:
    return STATUS_NAMES.get(status, {}).get(language, status)
