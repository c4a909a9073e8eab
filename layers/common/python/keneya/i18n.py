"""The language people read: French by default (Mali's official language), English on request.

Bambara readers get French until a text exists in Bambara.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Language = Literal["fr", "en"]
DEFAULT_LANGUAGE: Language = "fr"
LANGUAGES: tuple[Language, ...] = ("fr", "en")


def request_language(request: object | None) -> Language:
    """The language of a Chalice request (its `Accept-Language`); French without a request."""
    headers = getattr(request, "headers", None) or {}
    return language_of(headers.get("accept-language"))


def language_of(accept_language: str | None) -> Language:
    """The best of our languages for an `Accept-Language` header (RFC 9110 q-values)."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            # Earlier entries win ties, as the header orders preferences.
            score = quality - position * 1e-6
            if score > best[0]:
                best = (score, primary)  # type: ignore[assignment]
    return best[1]


def translate(
    texts: Mapping[str, Mapping[str, str]], key: str, language: Language, **values: object
) -> str:
    """The text `key` of a service's `texts` in `language`, with `values` filled in."""
    return texts[key][language].format(**values)
