"""People in the service's DynamoDB table: how to reach them and what they chose.

One item per person holds both: the contact (learned from events) and the preferences (set
through the API). Each side writes only its own attributes, so neither overwrites the other.

While events are handled, a person read is kept for the rest of the batch (`chalicelib.batch`),
and facts learned are kept there as written, then written at the event's end: the welcome that
follows `user.registered` is worded from what the event taught without reading it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.batch import MISSING, Batch
from chalicelib.contacts import Contact, ContactFacts
from chalicelib.preferences import Preferences
from chalicelib.tables import PERSON_SK, Models, user_pk

_CONTACT_FIELDS = ("full_name", "role", "phone", "phone_verified", "email", "language")


class PeopleStore:
    def __init__(self, models: Models, now: Callable[[], datetime], batch: Batch) -> None:
        self.Person = models.Person
        self.now = now
        self.batch = batch

    def _item(self, user_id: str) -> Any:
        kept = self.batch.kept("person", user_id)
        if kept is not MISSING:
            return kept
        try:
            item = self.Person.get(user_pk(user_id), PERSON_SK, consistent_read=True)
        except DoesNotExist:
            item = None
        self.batch.keep("person", user_id, item)
        return item

    def person(self, user_id: str) -> tuple[Contact | None, Preferences]:
        """What is known of how to reach the person (None: nothing yet), and their choices."""
        item = self._item(user_id)
        if item is None:
            return None, Preferences()
        return _contact(user_id, item), _preferences(item)

    def get(self, user_id: str) -> Contact | None:
        item = self._item(user_id)
        return _contact(user_id, item) if item is not None else None

    def learn(self, facts: ContactFacts) -> None:
        # Events of one person are few and far between; a read-modify-write is enough, and
        # learning the same facts twice changes nothing.
        item = self._item(facts.user_id)
        known = _contact(facts.user_id, item) if item is not None else None
        contact = (known or Contact(user_id=facts.user_id)).learn(facts)
        P = self.Person
        actions = [
            getattr(P, name).set(value) if value is not None else getattr(P, name).remove()
            for name, value in ((field, getattr(contact, field)) for field in _CONTACT_FIELDS)
        ]
        person = P(pk=user_pk(facts.user_id), sk=PERSON_SK)
        self.batch.write_at_end(person.get_update_kwargs_from_instance(actions=actions))
        # Kept as it will be once written: the choices as read, the contact as learned.
        learned = item if item is not None else person
        for field in _CONTACT_FIELDS:
            setattr(learned, field, getattr(contact, field))
        self.batch.keep("person", facts.user_id, learned)

    def preferences(self, user_id: str) -> Preferences:
        item = self._item(user_id)
        return _preferences(item) if item is not None else Preferences()

    def choose(self, user_id: str, preferences: Preferences) -> None:
        P = self.Person
        choices = {category: dict(channels) for category, channels in preferences.choices.items()}
        actions = [
            P.choices.set(json.dumps(choices)),
            P.choices_updated_at.set(self.now()),
            P.chosen_language.set(preferences.language)
            if preferences.language
            else P.chosen_language.remove(),
        ]
        P(pk=user_pk(user_id), sk=PERSON_SK).update(actions=actions)
        self.batch.forget("person", user_id)


def _contact(user_id: str, item: Any) -> Contact | None:
    if not any(getattr(item, field) is not None for field in _CONTACT_FIELDS):
        return None  # choices made before the service learned of the person
    return Contact(
        user_id=user_id,
        full_name=item.full_name,
        role=item.role,
        phone=item.phone,
        phone_verified=bool(item.phone_verified),
        email=item.email,
        language=item.language,
    )


def _preferences(item: Any) -> Preferences:
    return Preferences(choices=json.loads(item.choices or "{}"), language=item.chosen_language)
