"""What the auth service says to people, in French (the default) and English.

The language is the request's `Accept-Language` (French for Bambara and anything else we do not
write yet). Each text has a key; the problems and field errors of `chalicelib.problems` use them.
"""

from __future__ import annotations

from keneya.i18n import DEFAULT_LANGUAGE, Language, translate

DEFAULT: Language = DEFAULT_LANGUAGE

TEXTS: dict[str, dict[Language, str]] = {
    "invalid_input": {
        "fr": "Certains champs sont absents ou invalides.",
        "en": "Some fields are missing or invalid.",
    },
    "duplicate_login": {
        "fr": "Un compte existe déjà avec ces identifiants.",
        "en": "An account already exists with these details.",
    },
    "duplicate_phone": {
        "fr": "Ce numéro de téléphone est déjà utilisé par un compte.",
        "en": "This phone number is already used by an account.",
    },
    "duplicate_email": {
        "fr": "Cette adresse e-mail est déjà utilisée par un compte.",
        "en": "This e-mail address is already used by an account.",
    },
    "weak_password": {
        "fr": "Ce mot de passe n'est pas assez sûr.",
        "en": "This password is not safe enough.",
    },
    "password_too_short": {
        "fr": "Le mot de passe doit compter au moins 8 caractères.",
        "en": "The password must be at least 8 characters long.",
    },
    "password_too_long": {
        "fr": "Le mot de passe ne peut pas dépasser 128 caractères.",
        "en": "The password cannot be longer than 128 characters.",
    },
    "password_common": {
        "fr": "Ce mot de passe est trop courant : choisissez-en un moins facile à deviner.",
        "en": "This password is too common: choose one that is harder to guess.",
    },
    "password_personal": {
        "fr": "Le mot de passe ne doit pas reprendre votre nom, numéro ou adresse e-mail.",
        "en": "The password must not contain your name, phone number or e-mail address.",
    },
    "password_repetitive": {
        "fr": "Le mot de passe doit contenir au moins 4 caractères différents.",
        "en": "The password must contain at least 4 different characters.",
    },
    "same_password": {
        "fr": "Le nouveau mot de passe doit être différent de l'actuel.",
        "en": "The new password must differ from the current one.",
    },
    "wrong_current_password": {
        "fr": "Le mot de passe actuel est incorrect.",
        "en": "The current password is wrong.",
    },
    "invalid_credentials": {
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Wrong phone number, e-mail or password.",
    },
    "account_disabled": {
        "fr": "Ce compte est désactivé. Contactez le support Keneya.",
        "en": "This account is disabled. Contact Keneya support.",
    },
    "too_many_logins": {
        "fr": "Trop de tentatives de connexion. Réessayez dans {seconds} s.",
        "en": "Too many sign-in attempts. Try again in {seconds} s.",
    },
    "too_many_codes": {
        "fr": "Trop de codes demandés. Réessayez dans {seconds} s.",
        "en": "Too many codes requested. Try again in {seconds} s.",
    },
    "code_cooldown": {
        "fr": "Un code vient d'être envoyé. Vous pourrez en demander un autre dans {seconds} s.",
        "en": "A code was just sent. You can ask for another one in {seconds} s.",
    },
    "too_many_wrong_codes": {
        "fr": "Trop de codes erronés. Réessayez dans {seconds} s.",
        "en": "Too many wrong codes. Try again in {seconds} s.",
    },
    "code_invalid": {
        "fr": "Code incorrect. Essais restants : {attempts_left}.",
        "en": "Wrong code. Attempts left: {attempts_left}.",
    },
    "code_expired": {
        "fr": "Ce code a expiré ou n'est plus valable : demandez-en un nouveau.",
        "en": "This code has expired or is no longer valid: ask for a new one.",
    },
    "code_exhausted": {
        "fr": "Trop d'essais pour ce code : demandez-en un nouveau.",
        "en": "Too many attempts for this code: ask for a new one.",
    },
    "codes_unavailable": {
        "fr": "L'envoi de codes est momentanément indisponible. Réessayez dans quelques minutes.",
        "en": "Codes cannot be sent right now. Try again in a few minutes.",
    },
    "refresh_invalid": {
        "fr": "Session expirée ou terminée : reconnectez-vous.",
        "en": "Your session has expired or ended: sign in again.",
    },
    "refresh_reused": {
        "fr": "Ce jeton a déjà servi : par sécurité, la session a été fermée. Reconnectez-vous.",
        "en": "This token was already used: the session was closed for safety. Sign in again.",
    },
    "token_required": {
        "fr": "Un jeton d'accès valide est requis.",
        "en": "A valid access token is required.",
    },
    "login_required": {
        "fr": "Indiquez un numéro de téléphone ou une adresse e-mail (un seul pour se connecter).",
        "en": "Give a phone number or an e-mail address (only one to sign in).",
    },
    "phone_invalid": {
        "fr": "Numéro invalide : écrivez-le au format international (+223 76 12 34 56) "
        "ou avec les 8 chiffres d'un numéro malien.",
        "en": "Invalid number: write it in international form (+223 76 12 34 56) "
        "or as the 8 digits of a Malian number.",
    },
    "email_invalid": {
        "fr": "Adresse e-mail invalide.",
        "en": "Invalid e-mail address.",
    },
    "code_format": {
        "fr": "Le code compte 6 chiffres.",
        "en": "The code has 6 digits.",
    },
    "full_name_length": {
        "fr": "Le nom doit compter entre 2 et 120 caractères.",
        "en": "The name must be 2 to 120 characters long.",
    },
    "field_required": {
        "fr": "Champ obligatoire.",
        "en": "This field is required.",
    },
}


def text(key: str, language: Language, **values: object) -> str:
    return translate(TEXTS, key, language, **values)
