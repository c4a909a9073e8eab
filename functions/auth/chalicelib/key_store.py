"""The signing-key ring in one Secrets Manager secret (the `KeyStore` of `chalicelib.signing_keys`).

Writers race safely: a write names the version it read (a Secrets Manager `ClientRequestToken`
derived from it), so of two instances creating or rotating at once one wins and the other
re-reads the winner's keys instead of overwriting them.
"""

from __future__ import annotations

import uuid

from chalicelib.signing_keys import KeyRing

_VERSION_NAMESPACE = uuid.UUID("5b0e8a1c-6f1d-4c58-9d7e-2f0f4c3a9b11")


class SecretsManagerKeyStore:
    def __init__(self, secret_id: str) -> None:
        self._secret_id = secret_id

    def load(self) -> tuple[KeyRing, str | None]:
        from keneya.aws import client

        secrets_manager = client("secretsmanager")
        try:
            answer = secrets_manager.get_secret_value(SecretId=self._secret_id)
        except secrets_manager.exceptions.ResourceNotFoundException:
            # Only when the secret has no value yet; a missing secret fails on save, loudly.
            return KeyRing(), None
        return KeyRing.from_json(answer.get("SecretString")), answer.get("VersionId")

    def save(self, ring: KeyRing, read_version: str | None) -> bool:
        from keneya.aws import client

        secrets_manager = client("secretsmanager")
        # Two writers that read the same version derive the same token: the second one's
        # different content is refused instead of silently replacing the first one's keys.
        token = str(uuid.uuid5(_VERSION_NAMESPACE, f"{self._secret_id}@{read_version}"))
        try:
            secrets_manager.put_secret_value(
                SecretId=self._secret_id, SecretString=ring.to_json(), ClientRequestToken=token
            )
        except secrets_manager.exceptions.ResourceExistsException:
            return False
        return True
