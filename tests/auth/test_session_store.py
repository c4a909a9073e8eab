"""The refresh-token families in DynamoDB, against the session's AWS endpoint: what a rotation
that loses a race says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.sessions import IssuedSession, Rotation, StoredToken, token_digest
from chalicelib.store import SessionStore
from chalicelib.tables import models_for
from keneya.config import settings


@pytest.fixture
def store(
    auth_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[SessionStore]:
    # The outbox of a transaction finds its table as the function does, in its settings.
    monkeypatch.setenv("TABLE_NAME", auth_environment["TABLE_NAME"])
    settings.cache_clear()
    yield SessionStore(models_for(auth_environment["TABLE_NAME"]))
    settings.cache_clear()


NOW = datetime.now(UTC)
EXPIRES = NOW + timedelta(days=30)


def opened(store: SessionStore) -> tuple[IssuedSession, StoredToken]:
    """A session opened now, and its token as a request reads it."""
    token = uuid.uuid4().hex
    session = IssuedSession(uuid.uuid4().hex, f"u-{uuid.uuid4().hex[:8]}", token, EXPIRES)
    store.open(session, token_digest(token), NOW)
    stored = store.token(token_digest(token))
    assert stored is not None
    return session, stored


def rotate(store: SessionStore, stored: StoredToken) -> Rotation:
    return store.rotate(stored, token_digest(uuid.uuid4().hex), NOW, EXPIRES)


def test_a_token_used_by_a_concurrent_request_is_reported_used_not_merely_refused(
    store: SessionStore,
):
    # Given an open session, and its token as a request read it
    _, read_by_this_request = opened(store)

    # When a concurrent request rotates it first, then this one rotates what it read
    first = rotate(store, read_by_this_request)
    second = rotate(store, read_by_this_request)

    # Then the second learns the token was used (a reuse, which revokes the family)
    assert first is Rotation.ROTATED
    assert second is Rotation.ALREADY_USED


def test_a_rotation_in_a_revoked_family_is_refused(store: SessionStore):
    # Given an open session whose family was revoked after its token was read
    session, stored = opened(store)
    assert store.revoke(session.family_id, "signed_out", NOW)

    # When the token is rotated, then it is refused, and not taken for a reuse
    assert rotate(store, stored) is Rotation.REFUSED
