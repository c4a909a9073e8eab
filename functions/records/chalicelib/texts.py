"""What people read in the records API's refusals, in French (the default) and English."""

from __future__ import annotations

from keneya.i18n import Language, translate

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


def text(key: str, language: Language, **values: object) -> str:
    return translate(TEXTS, key, language, **values)
