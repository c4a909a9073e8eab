import string

import pytest

from chalicelib.notices import Notice
from chalicelib.texts import TEXTS, render
from chalicelib.triggers import REACTIONS

from .fakes import at

EVERY_VALUE = {
    "code": "482913",
    "minutes": 10,
    "starts_at": at("2025-03-03T14:30:00"),
    "fee_xof": 15000,
    "amount_xof": 15000,
    "provider": "orange_money",
    "specialty": "Pédiatrie",
    "refund_due": True,
}


def notice(kind: str, **fields) -> Notice:
    return Notice(
        id="01JN0000000000000000000000",
        kind=kind,
        category=fields.pop("category", "appointments"),
        user_id="u-1",
        channels=("in_app",),
        values=fields.pop("values", EVERY_VALUE),
        mentions=fields.pop("mentions", {"doctor": "d-1", "patient": "p-1"}),
        **fields,
    )


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_kind_is_written_in_french_and_english_without_a_gap(kind):
    for language in ("fr", "en"):
        message = render(notice(kind), language, {"self": "Awa", "doctor": "Sidibé"})
        for text in (message.title, message.body, message.sms, message.email_body):
            assert "{" not in text and "}" not in text
            assert text.strip()


def test_french_and_english_texts_use_the_same_values():
    for kind, texts in TEXTS.items():
        fields = {
            language: {name for _, name, _, _ in string.Formatter().parse(t.title + t.body) if name}
            for language, t in texts.items()
        }
        assert fields["fr"] == fields["en"], kind


def test_a_confirmation_gives_the_doctor_local_time_and_nothing_clinical():
    message = render(
        notice("consultation.confirmed"), "fr", {"self": "Awa Traoré", "doctor": "Moussa Sidibé"}
    )

    assert message.body.startswith(
        "Votre consultation avec Dr Moussa Sidibé le lundi 3 mars à 14h30"
    )
    assert message.sms.startswith("Keneya : Votre consultation")
    assert message.email_body.startswith("Bonjour Awa Traoré,")


def test_english_amounts_are_in_fcfa():
    message = render(notice("payment.succeeded"), "en", {"self": "Awa"})

    assert message.body == "We received your payment of 15,000 FCFA by Orange Money."


def test_a_language_without_a_text_falls_back_to_french():
    message = render(notice("payment.refunded"), "bm", {"self": "Awa"})

    assert message.title == "Remboursement effectué"


def test_an_unknown_doctor_is_your_doctor_and_a_named_one_is_not_doctored_twice():
    unknown = render(notice("consultation.started"), "en", {"self": "Awa"})
    titled = render(notice("consultation.started"), "fr", {"doctor": "Dr Coulibaly"})

    assert unknown.body.startswith("Your doctor has started")
    assert titled.body.startswith("Dr Coulibaly a commencé")


def test_a_code_comes_first_in_its_sms_and_security_mail_has_no_preferences_footer():
    message = render(
        notice("otp.verify_phone", category="security", values={"code": "482913", "minutes": 10}),
        "fr",
        {},
    )

    assert message.sms.startswith("482913 est votre code Keneya")
    assert "10 min" in message.sms
    assert "Notifications" not in message.email_body


def test_a_cancellation_tells_the_refund_only_when_one_is_due():
    refunded = render(notice("consultation.cancelled"), "fr", {})
    kept = render(
        notice("consultation.cancelled", values={**EVERY_VALUE, "refund_due": False}), "fr", {}
    )

    assert "remboursement de 15\u202f000 FCFA" in refunded.body
    assert "rembours" not in kept.body


def test_a_cancellation_for_a_suspended_doctor_says_why_and_still_tells_the_refund():
    told = render(notice("consultation.cancelled.doctor_suspended"), "fr", {})

    assert "ne consulte plus sur Keneya" in told.body
    assert "remboursement de 15\u202f000 FCFA" in told.body


def test_every_event_the_service_consumes_has_a_reaction():
    from keneya.events.catalogue import CATALOGUE

    assert set(REACTIONS) <= set(CATALOGUE)
