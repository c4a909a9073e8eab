"""What operators do: create administrators by command (never through the API), rotate the
signing keys (by command and on schedule); and what happens when Redis is down."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import jwt
import pytest

from chalicelib.signing_keys import KeyRing
from tests.support.auth import STRONG_PASSWORD, Api, admin_command, new_email, new_phone

from .conftest import free_port, start_auth_stack


@pytest.fixture
def command(auth_environment, aws_endpoint):
    """Runs `python -m chalicelib.admin ...` as an operator would."""

    def run(*arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
        return admin_command(auth_environment, aws_endpoint, *arguments, stdin=stdin)

    return run


def test_an_administrator_is_created_by_command_and_signs_in_as_admin(api, command, published):
    phone, email = new_phone(), new_email()

    created = command(
        "create",
        "--full-name",
        "Fanta Coulibaly",
        "--phone",
        phone[4:],
        "--email",
        email,
        "--password-stdin",
        stdin=f"{STRONG_PASSWORD}\n",
    )

    assert created.returncode == 0, created.stderr
    assert STRONG_PASSWORD not in created.stdout + created.stderr
    grant = api.login(email=email)
    assert grant["role"] == "admin"
    assert jwt.decode(grant["access_token"], options={"verify_signature": False})["role"] == (
        "admin"
    )
    published.wait_for("user.registered", user_id=grant["user_id"], role="admin", phone=phone)


def test_the_command_refuses_a_taken_phone_or_a_weak_password(api, command):
    phone = api.register()["phone"]

    taken = command(
        "create",
        "--full-name",
        "Fanta",
        "--phone",
        phone,
        "--password-stdin",
        stdin=f"{STRONG_PASSWORD}\n",
    )
    weak = command(
        "create",
        "--full-name",
        "Fanta",
        "--phone",
        new_phone(),
        "--password-stdin",
        stdin="password\n",
    )

    assert taken.returncode != 0 and "already registered: phone" in taken.stderr
    assert weak.returncode != 0 and "password_common" in weak.stderr


def test_nobody_becomes_an_administrator_through_the_api(api):
    response = api.post(
        "/register",
        {
            "role": "admin",
            "full_name": "Mallory",
            "phone": new_phone(),
            "password": STRONG_PASSWORD,
        },
    )

    assert response.status_code == 422


def test_a_rotation_adds_a_pending_key_while_the_current_one_keeps_signing(
    api, command, auth_environment, aws_client
):
    grant = api.login(phone=api.register()["phone"])
    signing_kid = jwt.get_unverified_header(grant["access_token"])["kid"]

    rotated = command("rotate-keys")

    assert rotated.returncode == 0, rotated.stderr
    secret = aws_client("secretsmanager").get_secret_value(
        SecretId=auth_environment["JWT_SIGNING_KEY_SECRET_ARN"]
    )
    ring = KeyRing.from_json(secret["SecretString"])
    newest = ring.keys[-1]
    assert newest.kid != signing_kid and newest.kid in rotated.stdout
    assert newest.activates_at - newest.created_at == timedelta(minutes=10)
    assert signing_kid in [key.kid for key in ring.keys]
    # Until the new key's activation time (later than any JWKS cache lasts: every verifier
    # will know it by then), tokens are signed and accepted as before.
    later = api.login(phone=api.register()["phone"])
    assert jwt.get_unverified_header(later["access_token"])["kid"] == signing_kid
    assert api.post("/logout-all", token=grant["access_token"]).status_code == 200


def test_the_scheduled_rotation_leaves_young_keys_alone(
    auth_stack, api, auth_environment, aws_client
):
    def stored_kids() -> set[str]:
        secret = aws_client("secretsmanager").get_secret_value(
            SecretId=auth_environment["JWT_SIGNING_KEY_SECRET_ARN"]
        )
        return {key.kid for key in KeyRing.from_json(secret["SecretString"]).keys}

    api.get("/.well-known/jwks.json")  # a first key exists
    before = stored_kids()

    result = auth_stack.invoke("auth", "rotate_signing_keys", SCHEDULED_EVENT)

    assert set(result["kids"]) == before == stored_kids()


SCHEDULED_EVENT = {
    "version": "0",
    "id": "e-1",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/rotate"],
    "detail": {},
}


@pytest.fixture(scope="module")
def stack_without_redis(aws_endpoint, tmp_path_factory):
    """The auth service with REDIS_URL pointing at a port where nothing listens."""
    stack = start_auth_stack(
        aws_endpoint,
        tmp_path_factory.mktemp("auth-no-redis-logs"),
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    try:
        yield stack
    finally:
        stack.stop()


def test_without_redis_login_works_and_the_outage_is_logged(api, stack_without_redis):
    phone = api.register()["phone"]
    degraded = Api(stack_without_redis.url("auth"))

    assert degraded.post("/login", {"phone": phone, "password": "wrong-one-1"}).status_code == 401
    assert degraded.login(phone=phone)["user_id"]
    log = stack_without_redis.console.log_path("auth").read_text()
    assert "login limits unavailable" in log


def test_without_redis_no_code_is_sent(api, stack_without_redis):
    phone = api.register()["phone"]

    response = Api(stack_without_redis.url("auth")).post(
        "/otp/send", {"phone": phone}, language="en"
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert (
        response.json()["detail"] == "Codes cannot be sent right now. Try again in a few minutes."
    )
