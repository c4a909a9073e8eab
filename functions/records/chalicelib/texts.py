"""What people read in the records API's refusals, in French (the default) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]

TEXTS: dict[str, dict[Language, str]] = {
    "not_found": {
        "fr": "Ce dossier ou cet élément n'existe pas.",
        "en": "No such record or item.",
    },
    "record_full": {
        "fr": "Ce dossier contient déjà {limit} éléments dans « {section} » : "
        "supprimez-en d'abord.",
        "en": "This record already holds {limit} {section}; remove some first.",
    },
    "invalid_entry": {
        "fr": "Une valeur n'est pas acceptable : {message}.",
        "en": "A value is not acceptable: {message}.",
    },
    "upload_rejected": {
        "fr": "Le fichier envoyé n'a pas été accepté ({reason}).",
        "en": "The uploaded file was not accepted ({reason}).",
    },
}


def language_of(accept_language: str | None) -> Language:
    """The first of French or English the caller accepts; French otherwise (Mali)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("fr"):
            return "fr"
    return "fr"


def text(key: str, language: Language, **values: object) -> str:
    return TEXTS[key][language].format(**values)
