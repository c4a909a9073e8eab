"""The maintained lists of the doctor directory: medical specialties and spoken languages, with
what people read of them in French and English.

A code never changes once published (clients and other services store it); a new specialty or
language is added here, and its labels with it.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]

SPECIALTIES: dict[str, dict[Language, str]] = {
    "general-practice": {"fr": "Médecine générale", "en": "General practice"},
    "paediatrics": {"fr": "Pédiatrie", "en": "Paediatrics"},
    "gynaecology-obstetrics": {"fr": "Gynécologie-obstétrique", "en": "Gynaecology-obstetrics"},
    "cardiology": {"fr": "Cardiologie", "en": "Cardiology"},
    "dermatology": {"fr": "Dermatologie", "en": "Dermatology"},
    "psychiatry": {"fr": "Psychiatrie", "en": "Psychiatry"},
    "internal-medicine": {"fr": "Médecine interne", "en": "Internal medicine"},
    "infectious-diseases": {
        "fr": "Maladies infectieuses et tropicales",
        "en": "Infectious and tropical diseases",
    },
    "endocrinology-diabetology": {
        "fr": "Endocrinologie-diabétologie",
        "en": "Endocrinology-diabetology",
    },
    "gastroenterology": {"fr": "Gastro-entérologie", "en": "Gastroenterology"},
    "haematology": {"fr": "Hématologie", "en": "Haematology"},
    "nephrology": {"fr": "Néphrologie", "en": "Nephrology"},
    "neurology": {"fr": "Neurologie", "en": "Neurology"},
    "pulmonology": {"fr": "Pneumologie", "en": "Pulmonology"},
    "rheumatology": {"fr": "Rhumatologie", "en": "Rheumatology"},
    "oncology": {"fr": "Oncologie", "en": "Oncology"},
    "ophthalmology": {"fr": "Ophtalmologie", "en": "Ophthalmology"},
    "ent": {"fr": "Oto-rhino-laryngologie (ORL)", "en": "Ear, nose and throat (ENT)"},
    "urology": {"fr": "Urologie", "en": "Urology"},
    "general-surgery": {"fr": "Chirurgie générale", "en": "General surgery"},
    "orthopaedics-traumatology": {
        "fr": "Orthopédie-traumatologie",
        "en": "Orthopaedics-traumatology",
    },
    "dentistry": {"fr": "Odontostomatologie", "en": "Dentistry"},
    "nutrition": {"fr": "Nutrition", "en": "Nutrition"},
}

# Languages a doctor can consult in: the official and national languages most spoken in Mali and
# its neighbours. ISO 639 codes.
SPOKEN_LANGUAGES: dict[str, dict[Language, str]] = {
    "fr": {"fr": "Français", "en": "French"},
    "en": {"fr": "Anglais", "en": "English"},
    "bm": {"fr": "Bambara", "en": "Bambara"},
    "ff": {"fr": "Peul (fulfulde)", "en": "Fula (Fulfulde)"},
    "snk": {"fr": "Soninké", "en": "Soninke"},
    "son": {"fr": "Songhaï", "en": "Songhay"},
    "tmh": {"fr": "Tamasheq", "en": "Tamasheq"},
    "dyu": {"fr": "Dioula", "en": "Dyula"},
    "wo": {"fr": "Wolof", "en": "Wolof"},
    "ar": {"fr": "Arabe", "en": "Arabic"},
}


def specialty_label(code: str, language: Language) -> str:
    return SPECIALTIES[code][language]


def language_label(code: str, language: Language) -> str:
    return SPOKEN_LANGUAGES[code][language]
