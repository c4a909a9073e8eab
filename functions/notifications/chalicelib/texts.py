"""What Keneya says to people, in French (the default), English, and Bambara where a text exists.

Each kind of notification has a title and a body per language; the SMS text and the e-mail are
built from them. A kind without a text in the person's language is written in French, which
every Malian reader of Keneya can read. Values are formatted for people: local time in
Africa/Bamako, amounts in FCFA, durations in minutes or hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import local_formats
from chalicelib.notices import Message, Notice
from chalicelib.preferences import DEFAULT_LANGUAGE, Language


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    # When an SMS needs other words than "Keneya: <body>" (a code must come first, say).
    sms: str | None = None


TEXTS: dict[str, dict[Language, Text]] = {
    # -- security --------------------------------------------------------------------------
    "otp.verify_phone": {
        "fr": Text(
            "Code de vérification",
            "Votre code de vérification Keneya est {code}. Il expire dans {duration}. "
            "Ne le communiquez à personne.",
            "{code} est votre code Keneya. Il expire dans {duration}. "
            "Ne le communiquez à personne.",
        ),
        "en": Text(
            "Verification code",
            "Your Keneya verification code is {code}. It expires in {duration}. "
            "Never share it.",
            "{code} is your Keneya code. It expires in {duration}. Never share it.",
        ),
    },
    "otp.reset_password": {
        "fr": Text(
            "Code de réinitialisation",
            "Votre code pour changer de mot de passe Keneya est {code}. Il expire dans "
            "{duration}. Si vous n'avez rien demandé, ignorez ce message.",
            "{code} est votre code pour changer de mot de passe Keneya. Il expire dans "
            "{duration}. Si vous n'avez rien demandé, ignorez ce message.",
        ),
        "en": Text(
            "Password reset code",
            "Your Keneya password reset code is {code}. It expires in {duration}. "
            "If you did not ask for it, ignore this message.",
            "{code} is your Keneya password reset code. It expires in {duration}. "
            "If you did not ask for it, ignore this message.",
        ),
    },
    "password.changed": {
        "fr": Text(
            "Mot de passe modifié",
            "Le mot de passe de votre compte Keneya vient d'être modifié. Si ce n'est pas "
            "vous, réinitialisez-le sans attendre et contactez-nous.",
        ),
        "en": Text(
            "Password changed",
            "The password of your Keneya account was just changed. If this was not you, "
            "reset it at once and contact us.",
        ),
    },
    "password.reset": {
        "fr": Text(
            "Mot de passe réinitialisé",
            "Le mot de passe de votre compte Keneya a été réinitialisé avec un code reçu par "
            "SMS. Si ce n'est pas vous, contactez-nous sans attendre.",
        ),
        "en": Text(
            "Password reset",
            "The password of your Keneya account was reset with a code sent by SMS. If this "
            "was not you, contact us at once.",
        ),
    },
    # -- account ---------------------------------------------------------------------------
    "welcome.patient": {
        "fr": Text(
            "Bienvenue sur Keneya",
            "Bonjour {name}, votre compte est prêt. Trouvez un médecin et consultez-le par "
            "vidéo, où que vous soyez.",
        ),
        "en": Text(
            "Welcome to Keneya",
            "Hello {name}, your account is ready. Find a doctor and see them by video, "
            "wherever you are.",
        ),
    },
    "welcome.doctor": {
        "fr": Text(
            "Bienvenue sur Keneya",
            "Bonjour {name}, votre compte médecin est créé. Nous vérifions vos informations "
            "professionnelles et vous préviendrons dès que les patients pourront vous réserver.",
        ),
        "en": Text(
            "Welcome to Keneya",
            "Hello {name}, your doctor account is created. We are checking your professional "
            "details and will tell you as soon as patients can book you.",
        ),
    },
    "doctor.verified": {
        "fr": Text(
            "Compte vérifié",
            "Dr {name}, votre compte est vérifié : les patients peuvent désormais réserver une "
            "consultation avec vous ({specialty}, {fee}).",
        ),
        "en": Text(
            "Account verified",
            "Dr {name}, your account is verified: patients can now book a consultation with "
            "you ({specialty}, {fee}).",
        ),
    },
    # -- appointments ----------------------------------------------------------------------
    "consultation.booked": {
        "fr": Text(
            "Réservation enregistrée",
            "Votre consultation avec {doctor} le {when} est réservée. Payez {fee} pour la "
            "confirmer.",
        ),
        "en": Text(
            "Booking received",
            "Your consultation with {doctor} on {when} is booked. Pay {fee} to confirm it.",
        ),
    },
    "consultation.confirmed": {
        "fr": Text(
            "Consultation confirmée",
            "Votre consultation avec {doctor} le {when} est confirmée. Vous recevrez un rappel "
            "avant le début.",
        ),
        "en": Text(
            "Consultation confirmed",
            "Your consultation with {doctor} on {when} is confirmed. You will get a reminder "
            "before it starts.",
        ),
    },
    "consultation.confirmed.doctor": {
        "fr": Text(
            "Nouvelle consultation",
            "{patient} a réservé une consultation avec vous le {when}.",
        ),
        "en": Text(
            "New consultation",
            "{patient} booked a consultation with you on {when}.",
        ),
    },
    "consultation.cancelled": {
        "fr": Text(
            "Consultation annulée",
            "Votre consultation avec {doctor}{on_when} est annulée.{refund}",
        ),
        "en": Text(
            "Consultation cancelled",
            "Your consultation with {doctor}{on_when} is cancelled.{refund}",
        ),
    },
    "consultation.cancelled.doctor_suspended": {
        "fr": Text(
            "Consultation annulée",
            "Votre consultation avec {doctor}{on_when} est annulée : ce médecin ne consulte plus "
            "sur Keneya pour le moment. Vous pouvez réserver avec un autre médecin.{refund}",
        ),
        "en": Text(
            "Consultation cancelled",
            "Your consultation with {doctor}{on_when} is cancelled: this doctor no longer "
            "consults on Keneya for now. You can book with another doctor.{refund}",
        ),
    },
    "consultation.cancelled.doctor": {
        "fr": Text(
            "Consultation annulée",
            "La consultation avec {patient}{on_when} est annulée.",
        ),
        "en": Text(
            "Consultation cancelled",
            "The consultation with {patient}{on_when} is cancelled.",
        ),
    },
    "consultation.expired": {
        "fr": Text(
            "Réservation expirée",
            "Votre réservation avec {doctor}{on_when} a expiré faute de paiement. Vous pouvez "
            "réserver un autre créneau.",
        ),
        "en": Text(
            "Booking expired",
            "Your booking with {doctor}{on_when} expired because it was not paid. You can book "
            "another slot.",
        ),
    },
    "consultation.reminder": {
        "fr": Text(
            "Rappel de consultation",
            "Votre consultation avec {doctor} commence dans {duration} ({when}). Ouvrez "
            "l'application Keneya à l'heure.",
        ),
        "en": Text(
            "Consultation reminder",
            "Your consultation with {doctor} starts in {duration} ({when}). Open the Keneya "
            "app on time.",
        ),
    },
    "consultation.reminder.doctor": {
        "fr": Text(
            "Rappel de consultation",
            "Votre consultation avec {patient} commence dans {duration} ({when}).",
        ),
        "en": Text(
            "Consultation reminder",
            "Your consultation with {patient} starts in {duration} ({when}).",
        ),
    },
    "consultation.started": {
        "fr": Text(
            "Votre médecin vous attend",
            "{doctor} a commencé la consultation. Rejoignez-la maintenant dans l'application "
            "Keneya.",
        ),
        "en": Text(
            "Your doctor is waiting",
            "{doctor} has started the consultation. Join it now in the Keneya app.",
        ),
    },
    "consultation.completed": {
        "fr": Text(
            "Consultation terminée",
            "Votre consultation avec {doctor} est terminée. Le compte rendu et les ordonnances "
            "sont dans votre dossier médical.",
        ),
        "en": Text(
            "Consultation completed",
            "Your consultation with {doctor} is over. The summary and any prescriptions are in "
            "your medical record.",
        ),
    },
    # -- in the call -----------------------------------------------------------------------
    "call.joined": {
        "fr": Text(
            "Votre médecin est en ligne",
            "{doctor_subject} a rejoint la consultation.",
        ),
        "en": Text(
            "Your doctor is online",
            "{doctor_subject} has joined the consultation.",
        ),
    },
    "call.joined.doctor": {
        "fr": Text(
            "Votre patient(e) vous attend",
            "{patient_subject} est dans la salle d'attente de la consultation.",
        ),
        "en": Text(
            "Your patient is waiting",
            "{patient_subject} is waiting in the consultation room.",
        ),
    },
    # -- payments --------------------------------------------------------------------------
    "payment.succeeded": {
        "fr": Text("Paiement reçu", "Nous avons reçu votre paiement de {amount} par {provider}."),
        "en": Text("Payment received", "We received your payment of {amount} by {provider}."),
    },
    "payment.failed": {
        "fr": Text(
            "Paiement non abouti",
            "Votre paiement de {amount} par {provider} n'a pas abouti. Réessayez depuis "
            "l'application avant l'expiration de la réservation.",
        ),
        "en": Text(
            "Payment failed",
            "Your payment of {amount} by {provider} did not go through. Try again from the app "
            "before the booking expires.",
        ),
    },
    "payment.refunded": {
        "fr": Text(
            "Remboursement effectué",
            "Nous vous avons remboursé {amount} sur votre compte {provider}.",
        ),
        "en": Text("Refund sent", "We refunded {amount} to your {provider} account."),
    },
    # -- records ---------------------------------------------------------------------------
    "record.updated": {
        "fr": Text(
            "Dossier médical mis à jour",
            "Votre dossier médical a été complété après votre consultation. Consultez-le dans "
            "l'application.",
        ),
        "en": Text(
            "Medical record updated",
            "Your medical record was updated after your consultation. See it in the app.",
        ),
    },
    "record.attachment_added": {
        "fr": Text(
            "Document ajouté à votre dossier",
            "Un document a été ajouté à votre dossier médical. Consultez-le dans l'application.",
        ),
        "en": Text(
            "Document added to your record",
            "A document was added to your medical record. See it in the app.",
        ),
    },
}

_PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "sms_prefix": "Keneya : ",
        "greeting": "Bonjour {name},",
        "greeting_anonymous": "Bonjour,",
        "signature": "L'équipe Keneya",
        "preferences": "Choisissez les messages que vous recevez dans l'application : "
        "Profil > Notifications.",
        "doctor": "Dr {name}",
        "some_doctor": "votre médecin",
        "some_patient": "un patient",
        # A mention opening a sentence, with and without the person's name.
        "doctor_subject": "le {doctor}",
        "some_doctor_subject": "votre médecin",
        "patient_subject": "votre patient(e) {patient}",
        "some_patient_subject": "votre patient(e)",
        "on_when": " du {when}",
        "refund": " Le remboursement de {fee} est en cours.",
    },
    "en": {
        "sms_prefix": "Keneya: ",
        "greeting": "Hello {name},",
        "greeting_anonymous": "Hello,",
        "signature": "The Keneya team",
        "preferences": "Choose which messages you receive in the app: Profile > Notifications.",
        "doctor": "Dr {name}",
        "some_doctor": "your doctor",
        "some_patient": "a patient",
        "doctor_subject": "{doctor}",
        "some_doctor_subject": "your doctor",
        "patient_subject": "your patient {patient}",
        "some_patient_subject": "your patient",
        "on_when": " on {when}",
        "refund": " Your refund of {fee} is on its way.",
    },
}


class MissingText(LookupError):
    """A kind of notification with no text at all: a programming error, caught by the tests."""


def text_for(kind: str, language: str) -> tuple[Text, str]:
    """The text of `kind` in `language`, else in French; with the language it is written in."""
    texts = TEXTS.get(kind)
    if texts is None:
        raise MissingText(kind)
    if language in texts:
        return texts[language], language  # type: ignore[index]
    return texts[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE


def _mentioned(role: str, name: str | None, phrases: Mapping[str, str]) -> str:
    if role == "doctor":
        if not name:
            return phrases["some_doctor"]
        if name.lower().startswith(("dr ", "dr.", "docteur ")):
            return name
        return phrases["doctor"].format(name=name)
    return name or phrases["some_patient"]


def _values(
    notice: Notice, language: str, names: Mapping[str, str | None], phrases: Mapping[str, str]
) -> dict[str, Any]:
    facts = notice.values
    values: dict[str, Any] = {key: value for key, value in facts.items() if isinstance(value, str)}
    values["name"] = names.get("self") or ""
    for role in notice.mentions:
        values[role] = _mentioned(role, names.get(role), phrases)
        if f"{role}_subject" in phrases:
            values[f"{role}_subject"] = (
                phrases[f"{role}_subject"].format(**{role: values[role]})
                if names.get(role)
                else phrases[f"some_{role}_subject"]
            )
    if isinstance(facts.get("starts_at"), datetime):
        values["when"] = local_formats.local_time(facts["starts_at"], language)
        values["on_when"] = phrases["on_when"].format(when=values["when"])
    else:
        values["on_when"] = ""
    for key in ("fee_xof", "amount_xof"):
        if isinstance(facts.get(key), int):
            values[key.removesuffix("_xof")] = local_formats.amount(facts[key], language)
    if "provider" in facts:
        values["provider"] = local_formats.provider(str(facts["provider"]))
    if isinstance(facts.get("minutes"), int):
        values["duration"] = local_formats.duration(facts["minutes"], language)
    values["refund"] = (
        phrases["refund"].format(fee=values.get("fee", "")) if facts.get("refund_due") else ""
    )
    return values


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def render(notice: Notice, language: str, names: Mapping[str, str | None]) -> Message:
    """`notice` in words, in `language` (French when there is no text in it).

    `names`: display names of the people involved, by role ("self" is the recipient, then
    the roles of `notice.mentions`); a missing name reads "your doctor", "a patient".
    """
    text, written_in = text_for(notice.kind, language)
    phrases = _PHRASES.get(written_in, _PHRASES[DEFAULT_LANGUAGE])
    values = _values(notice, written_in, names, phrases)
    title = text.title.format(**values)
    body = _sentence(text.body.format(**values))
    sms = _sentence(text.sms.format(**values)) if text.sms else phrases["sms_prefix"] + body
    name = names.get("self")
    greeting = (
        phrases["greeting"].format(name=name) if name else phrases["greeting_anonymous"]
    )
    footer = [phrases["signature"]]
    if notice.category != "security":
        footer.append(phrases["preferences"])
    email_body = "\n\n".join([greeting, body, "\n".join(footer)])
    return Message(title=title, body=body, sms=sms, email_body=email_body)
