"""How to reach a person: what the service learned from events (name, phone, e-mail, language).

The service keeps its own copy, built from `user.registered`, `user.phone_verified`,
`doctor.verified` and `auth.password_changed`, so sending never has to call another service.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.preferences import Language


@dataclass(frozen=True)
class Contact:
    user_id: str
    full_name: str | None = None
    role: str | None = None
    phone: str | None = None
    phone_verified: bool = False
    email: str | None = None
    language: Language | None = None

    def learn(self, facts: ContactFacts) -> Contact:
        """This contact with what `facts` tells (what it leaves out stays as it was)."""
        changes = {
            name: value
            for name, value in vars(facts).items()
            if name != "user_id" and value is not None
        }
        if "phone" in changes and changes["phone"] != self.phone and not facts.phone_verified:
            # A new number is not the verified one.
            changes["phone_verified"] = False
        return replace(self, **changes)


@dataclass(frozen=True)
class ContactFacts:
    """What one event says about how to reach `user_id`; None means "not said"."""

    user_id: str
    full_name: str | None = None
    role: str | None = None
    phone: str | None = None
    phone_verified: bool | None = None
    email: str | None = None
    language: Language | None = None
