"""The refresh-token families in DynamoDB, against the session's AWS endpoint: what a rotation
that loses a race says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.sessions import IssuedSession, Rotation, token_digest
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


def test_a_token_used_by_a_concurrent_request_is_reported_used_not_merely_refused(
    store: SessionStore,
):
    # Given an open session, and its token as a request read it
    now = datetime.now(UTC)
    expires = now + timedelta(days=30)
    token = uuid.uuid4().hex
    session = IssuedSession(uuid.uuid4().hex, f"u-{uuid.uuid4().hex[:8]}", token, expires)
    store.open(session, token_digest(token), now)
    read_by_this_request = store.token(token_digest(token))

    # When a concurrent request rotates it first, then this one rotates what it read
    first = store.rotate(read_by_this_request, token_digest(uuid.uuid4().hex), now, expires)
    second = store.rotate(read_by_this_request, token_digest(uuid.uuid4().hex), now, expires)

    # Then the second learns the token was used (a reuse, which revokes the family)
    assert first is Rotation.ROTATED
    assert second is Rotation.ALREADY_USED


def test_a_rotation_in_a_revoked_family_is_refused(store: SessionStore):
    # Given an open session whose family was revoked after its token was read
    now = datetime.now(UTC)
    expires = now + timedelta(days=30)
    token = uuid.uuid4().hex
    session = IssuedSession(uuid.uuid4().hex, f"u-{uuid.uuid4().hex[:8]}", token, expires)
    store.open(session, token_digest(token), now)
    stored = store.token(token_digest(token))
    assert store.revoke(session.family_id, "signed_out", now)

    # When the token is rotated, then it is refused, and not taken for a reuse
    rotation = store.rotate(stored, token_digest(uuid.uuid4().hex), now, expires)
    assert rotation is Rotation.REFUSED
