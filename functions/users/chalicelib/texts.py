"""What the users service says to people, in French (the default) and English.

The language is the request's `Accept-Language` (French for Bambara and anything else not yet
written). Each text has a key: the codes of `chalicelib.errors` and of request validation.
"""

from __future__ import annotations

from chalicelib.vocabularies import Language
from keneya.i18n import translate

TEXTS: dict[str, dict[Language, str]] = {
    # -- problems --------------------------------------------------------------------------
    "invalid_input": {
        "fr": "Certains champs sont absents ou invalides.",
        "en": "Some fields are missing or invalid.",
    },
    "invalid_query": {
        "fr": "Certains critères de recherche sont invalides.",
        "en": "Some search criteria are invalid.",
    },
    "not_found": {
        "fr": "Introuvable.",
        "en": "Not found.",
    },
    "profile_not_ready": {
        "fr": "Votre profil est en cours de création. Réessayez dans quelques secondes.",
        "en": "Your profile is being created. Try again in a few seconds.",
    },
    "for_doctors": {
        "fr": "Cette action est réservée aux médecins.",
        "en": "This action is for doctors only.",
    },
    "for_admins": {
        "fr": "Cette action est réservée aux administrateurs.",
        "en": "This action is for administrators only.",
    },
    "transition_refused": {
        "fr": "Impossible : le médecin est déjà dans l'état « {status} ».",
        "en": 'Not possible: the doctor\'s status is already "{status}".',
    },
    "incomplete_profile": {
        "fr": "Le profil du médecin est incomplet : il ne peut pas encore être vérifié.",
        "en": "The doctor's profile is incomplete: it cannot be verified yet.",
    },
    "locked_fields": {
        "fr": "Ces informations ont été vérifiées : pour les modifier, "
        "contactez le support Keneya.",
        "en": "These details were verified: contact Keneya support to change them.",
    },
    "concurrent_update": {
        "fr": "Le profil vient d'être modifié ailleurs. Rechargez-le et réessayez.",
        "en": "The profile was just changed elsewhere. Reload it and try again.",
    },
    "photo_rejected": {
        "fr": "Cette photo ne peut pas être utilisée.",
        "en": "This photo cannot be used.",
    },
    # -- fields ----------------------------------------------------------------------------
    "field_required": {"fr": "Champ obligatoire.", "en": "This field is required."},
    "field_unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "read_only": {
        "fr": "Se modifie dans les paramètres de votre compte, pas dans le profil.",
        "en": "Change it in your account settings, not in the profile.",
    },
    "not_for_role": {
        "fr": "Ce champ ne fait pas partie de ce type de profil.",
        "en": "This field is not part of this kind of profile.",
    },
    "specialty_unknown": {
        "fr": "Spécialité inconnue : choisissez-en une de la liste "
        "(GET /api/v1/users/specialties).",
        "en": "Unknown specialty: choose one from the list (GET /api/v1/users/specialties).",
    },
    "language_unknown": {
        "fr": "Langue inconnue : choisissez-en une de la liste (GET /api/v1/users/languages).",
        "en": "Unknown language: choose one from the list (GET /api/v1/users/languages).",
    },
    "languages_required": {
        "fr": "Indiquez au moins une langue de consultation.",
        "en": "Give at least one language you consult in.",
    },
    "date_of_birth_range": {
        "fr": "La date de naissance doit être passée et postérieure à 1900.",
        "en": "The date of birth must be in the past and after 1900.",
    },
    "phone_invalid": {
        "fr": "Numéro invalide : écrivez-le au format international (+223 76 12 34 56) "
        "ou avec les 8 chiffres d'un numéro malien.",
        "en": "Invalid number: write it in international form (+223 76 12 34 56) "
        "or as the 8 digits of a Malian number.",
    },
    "fee_range_value": {
        "fr": "Le tarif doit être un nombre entier de francs CFA entre 500 et 500 000.",
        "en": "The fee must be a whole number of CFA francs between 500 and 500,000.",
    },
    "text_length": {
        "fr": "Longueur non valide.",
        "en": "Invalid length.",
    },
    "choice_invalid": {
        "fr": "Valeur non autorisée.",
        "en": "Value not allowed.",
    },
    "time_zone_unknown": {
        "fr": "Fuseau horaire inconnu (exemple : Africa/Bamako).",
        "en": "Unknown time zone (for example Africa/Bamako).",
    },
    "slot_length": {
        "fr": "La durée d'un créneau doit être un multiple de 5 minutes, entre 10 et 120.",
        "en": "A slot must last a multiple of 5 minutes, between 10 and 120.",
    },
    "weekday_unknown": {
        "fr": "Jour inconnu : mon, tue, wed, thu, fri, sat ou sun.",
        "en": "Unknown day: mon, tue, wed, thu, fri, sat or sun.",
    },
    "too_many_ranges": {
        "fr": "8 plages horaires au plus par jour.",
        "en": "At most 8 time ranges a day.",
    },
    "time_invalid": {
        "fr": "Heure invalide : écrivez HH:MM, de 00:00 à 24:00.",
        "en": "Invalid time: write HH:MM, from 00:00 to 24:00.",
    },
    "time_grid": {
        "fr": "Les heures vont de 5 en 5 minutes (08:00, 08:05...).",
        "en": "Times go in steps of 5 minutes (08:00, 08:05...).",
    },
    "range_order": {
        "fr": "La fin doit être après le début.",
        "en": "The end must be after the start.",
    },
    "range_shorter_than_slot": {
        "fr": "La plage est plus courte qu'un créneau.",
        "en": "The range is shorter than one slot.",
    },
    "range_overlap": {
        "fr": "Cette plage chevauche une autre plage du même jour.",
        "en": "This range overlaps another range of the same day.",
    },
    "too_many_exceptions": {
        "fr": "100 jours particuliers au plus.",
        "en": "At most 100 special days.",
    },
    "day_past": {
        "fr": "Ce jour est déjà passé.",
        "en": "This day is already past.",
    },
    "day_too_far": {
        "fr": "Un jour particulier se prévoit au plus un an à l'avance.",
        "en": "A special day can be set at most a year ahead.",
    },
    "day_repeated": {
        "fr": "Ce jour figure déjà dans la liste.",
        "en": "This day is already in the list.",
    },
    "ranges_required": {
        "fr": "Indiquez les heures de ce jour, ou marquez-le indisponible.",
        "en": "Give the hours of this day, or mark it unavailable.",
    },
    "day_off_has_ranges": {
        "fr": "Un jour indisponible n'a pas d'heures.",
        "en": "A day off has no hours.",
    },
    "fee_range": {
        "fr": "Le tarif maximum doit être supérieur ou égal au minimum.",
        "en": "The maximum fee must be at least the minimum.",
    },
    "name_prefix_empty": {
        "fr": "Tapez au moins une lettre ou un chiffre du nom.",
        "en": "Type at least one letter or digit of the name.",
    },
    "cursor_invalid": {
        "fr": "Ce curseur n'appartient pas à cette recherche : recommencez à la première page.",
        "en": "This cursor is not from this search: start again from the first page.",
    },
    "required_to_verify": {
        "fr": "À renseigner avant la vérification.",
        "en": "Required before verification.",
    },
    "locked": {
        "fr": "Vérifié : modifiable seulement par le support.",
        "en": "Verified: only support can change it.",
    },
    "photo_type": {
        "fr": "Envoyez une image JPEG, PNG ou WebP.",
        "en": "Send a JPEG, PNG or WebP image.",
    },
    "photo_too_large": {
        "fr": "La photo dépasse 5 Mo.",
        "en": "The photo is larger than 5 MB.",
    },
    "photo_too_small": {
        "fr": "Ce fichier est trop petit pour être une photo.",
        "en": "This file is too small to be a photo.",
    },
    "photo_missing": {
        "fr": "Aucun fichier reçu pour cet envoi : envoyez la photo, puis confirmez.",
        "en": "No file arrived for this upload: upload the photo, then confirm.",
    },
}


def text(key: str, language: Language, **values: object) -> str:
    return translate(TEXTS, key, language, **values)
