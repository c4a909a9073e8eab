import pytest

from chalicelib.preferences import CATEGORIES, CHANNELS, PreferenceError, Preferences


def test_without_choices_the_defaults_apply():
    preferences = Preferences()

    assert preferences.allows("appointments", "sms")
    assert not preferences.allows("records", "sms")
    assert set(preferences.table()) == set(CATEGORIES)
    assert all(set(channels) == set(CHANNELS) for channels in preferences.table().values())


def test_a_choice_changes_only_the_channel_it_names():
    preferences = Preferences().changed({"appointments": {"sms": False}})

    assert not preferences.allows("appointments", "sms")
    assert preferences.allows("appointments", "email")
    assert preferences.allows("payments", "sms")


def test_later_choices_keep_earlier_ones():
    first = Preferences().changed({"payments": {"email": False}})

    second = first.changed({"records": {"sms": True}}, language="en")

    assert not second.allows("payments", "email")
    assert second.allows("records", "sms")
    assert second.language == "en"


def test_security_messages_cannot_be_turned_off():
    with pytest.raises(PreferenceError) as refused:
        Preferences().changed({"security": {"sms": False}})

    assert refused.value.field == "categories.security.sms"


def test_security_stays_on_even_if_a_stored_choice_says_otherwise():
    preferences = Preferences(choices={"security": {"sms": False}})

    assert preferences.allows("security", "sms")


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"marketing": {"sms": False}}, "categories.marketing"),
        ({"appointments": {"whatsapp": True}}, "categories.appointments.whatsapp"),
    ],
)
def test_an_unknown_category_or_channel_is_refused_naming_it(update, field):
    with pytest.raises(PreferenceError) as refused:
        Preferences().changed(update)

    assert refused.value.field == field
