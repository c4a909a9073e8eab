"""Who wants to hear about what, and how: categories, channels and a person's choices.

Every notification belongs to one category. A person turns each channel on or off per category;
what they never chose follows the defaults below. Security messages (one-time codes, a changed
password) ignore preferences: they are how a person keeps their account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

Category = Literal["security", "account", "appointments", "payments", "records"]
Channel = Literal["in_app", "push", "sms", "email"]
Language = Literal["fr", "en", "bm"]

CATEGORIES: tuple[Category, ...] = get_args(Category)
CHANNELS: tuple[Channel, ...] = get_args(Channel)
LANGUAGES: tuple[Language, ...] = get_args(Language)
LOCKED: frozenset[Category] = frozenset({"security"})
DEFAULT_LANGUAGE: Language = "fr"

# SMS reaches every phone in Mali, so it is on wherever a message matters; records changes are
# seen in the app and would only cost the person SMS credit.
DEFAULTS: dict[Category, dict[Channel, bool]] = {
    "security": {"in_app": True, "push": True, "sms": True, "email": True},
    "account": {"in_app": True, "push": True, "sms": True, "email": True},
    "appointments": {"in_app": True, "push": True, "sms": True, "email": True},
    "payments": {"in_app": True, "push": True, "sms": True, "email": True},
    "records": {"in_app": True, "push": True, "sms": False, "email": False},
}


class PreferenceError(ValueError):
    """A choice that cannot be made; `field` names it as the client sent it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Preferences:
    """A person's choices; anything they did not choose follows `DEFAULTS`."""

    choices: Mapping[Category, Mapping[Channel, bool]] = field(default_factory=dict)
    language: Language | None = None

    def allows(self, category: Category, channel: Channel) -> bool:
        if category in LOCKED:
            return True
        chosen = self.choices.get(category, {})
        return chosen.get(channel, DEFAULTS[category][channel])

    def table(self) -> dict[Category, dict[Channel, bool]]:
        """Every category and channel with what applies now (choices over defaults)."""
        return {
            category: {channel: self.allows(category, channel) for channel in CHANNELS}
            for category in CATEGORIES
        }

    def changed(
        self,
        updates: Mapping[str, Mapping[str, bool]],
        language: Language | None = None,
    ) -> Preferences:
        """These preferences with `updates` applied (a partial table: category -> channel ->
        on/off); raises `PreferenceError` naming the first choice that cannot be made."""
        choices = {category: dict(channels) for category, channels in self.choices.items()}
        for category, channels in updates.items():
            where = f"categories.{category}"
            if category not in CATEGORIES:
                raise PreferenceError(where, f"unknown category; one of {', '.join(CATEGORIES)}")
            for channel, enabled in channels.items():
                if channel not in CHANNELS:
                    raise PreferenceError(
                        f"{where}.{channel}", f"unknown channel; one of {', '.join(CHANNELS)}"
                    )
                if category in LOCKED and not enabled:
                    raise PreferenceError(
                        f"{where}.{channel}",
                        "security messages are always sent; they cannot be turned off",
                    )
                if category not in LOCKED:
                    choices.setdefault(category, {})[channel] = bool(enabled)  # type: ignore[index]
        return Preferences(choices=choices, language=language or self.language)  # type: ignore[arg-type]
