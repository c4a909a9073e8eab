"""The HTTP API under /api/v1/auth: register, otp/send, otp/verify, login, refresh, logout,
logout-all, password/reset, password/change and the JWKS.

Each view parses, calls one `chalicelib.service.Auth` method, and shapes the answer; the domain's
failures become problem+json in the caller's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import AuthResponse, Blueprint, Response
from chalice.app import AuthRequest

from chalicelib import schemas
from chalicelib.texts import Language
from keneya.http import json_response, parse_body
from keneya.i18n import request_language
from keneya.logs import logger
from keneya.openapi import operation

if TYPE_CHECKING:
    from chalicelib.service import Auth

api = Blueprint(__name__)

# Tokens and codes must not sit in a browser's or a proxy's cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def auth() -> Auth:
    """The use cases, wired on first use (keeps the cold start of /health and the outbox relay
    free of argon2, PynamoDB and Redis)."""
    from chalicelib.bootstrap import service

    return service()


def language() -> Language:
    return request_language(api.current_request)


def source_ip() -> str:
    identity = (api.current_request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


def body(model: type[schemas.Body]) -> Any:
    return parse_body(model, api.current_request)


@api.authorizer(ttl_seconds=0)
def access_token(auth_request: AuthRequest) -> AuthResponse:
    """Admits requests carrying a valid access token issued by this service."""
    from chalicelib.access_tokens import TokenRejected
    from keneya.tokens import InvalidToken, UnauthorizedToken, bearer_token

    try:
        claims = auth().verify_access_token(bearer_token(auth_request.token))
    except (InvalidToken, TokenRejected) as error:
        logger.info("access token refused", extra={"reason": str(error)})
        raise UnauthorizedToken() from None
    return AuthResponse(
        routes=["*"],
        principal_id=claims.user_id,
        context={"role": claims.role, "jti": claims.token_id, "sid": claims.session_id or ""},
    )


def caller() -> tuple[str, str | None]:
    """The signed-in user's id and session id."""
    from keneya.tokens import principal

    who = principal(api.current_request)
    context = (api.current_request.context or {}).get("authorizer") or {}
    return who.user_id, context.get("sid") or None


def token_pair(grant: Any) -> Response:
    return json_response(
        schemas.TokenPair(
            access_token=grant.access_token,
            expires_in=grant.expires_in,
            refresh_token=grant.refresh_token,
            refresh_expires_in=grant.refresh_expires_in,
            user_id=grant.user_id,
            role=grant.role,
        ),
        headers=NO_STORE,
    )


@api.route("/register", methods=["POST"])
@operation(
    "Create a patient or doctor account",
    body=schemas.RegisterRequest,
    response=schemas.AccountView,
    status=201,
    errors=(409,),
    description="Phone (E.164; a Malian 8-digit number gets +223) and/or e-mail, password, "
    "full name, language. Emits user.registered. A phone or e-mail already used: 409 naming it.",
)
def register() -> Response:
    request = body(schemas.RegisterRequest)
    account = auth().register(
        role=request.role,
        full_name=request.full_name,
        password=request.password.get_secret_value(),
        phone=request.phone,
        email=request.email,
        language=request.language,
    )
    return json_response(
        schemas.AccountView(
            user_id=account.user_id,
            role=account.role,
            full_name=account.full_name,
            phone=account.phone,
            email=account.email,
            phone_verified=account.phone_verified,
            language=account.language,
        ),
        status=201,
    )


@api.route("/otp/send", methods=["POST"])
@operation(
    "Send a one-time code by SMS",
    body=schemas.OtpSendRequest,
    response=schemas.OtpSendResponse,
    status=202,
    errors=(429, 503),
    description="Purpose verify_phone or reset_password. The answer is the same whether or not "
    "the number has an account. 429 with Retry-After during the resend cooldown or past the "
    "hourly limits; 503 when the limits cannot be checked.",
)
def otp_send() -> Response:
    request = body(schemas.OtpSendRequest)
    sent = auth().send_otp(phone=request.phone, purpose=request.purpose, address=source_ip())
    return json_response(
        schemas.OtpSendResponse(expires_in=sent.expires_in, resend_after=sent.resend_after),
        status=202,
    )


@api.route("/otp/verify", methods=["POST"])
@operation(
    "Verify a phone number with the code sent to it",
    body=schemas.OtpVerifyRequest,
    response=schemas.PhoneVerifiedView,
    errors=(429,),
    description="Emits user.phone_verified. A code admits 5 attempts and lives 5 minutes.",
)
def otp_verify() -> Response:
    request = body(schemas.OtpVerifyRequest)
    user_id = auth().verify_phone(phone=request.phone, code=request.code)
    return json_response(schemas.PhoneVerifiedView(user_id=user_id, phone=request.phone))


@api.route("/login", methods=["POST"])
@operation(
    "Sign in with a phone number or e-mail and a password",
    body=schemas.LoginRequest,
    response=schemas.TokenPair,
    errors=(401, 403, 429),
    description="Repeated failures lock the account (and the client address) for a delay "
    "that grows with each lockout: 429 with Retry-After.",
)
def login() -> Response:
    request = body(schemas.LoginRequest)
    kind, value = ("phone", request.phone) if request.phone else ("email", request.email)
    grant = auth().login(
        kind=kind, login=value, password=request.password.get_secret_value(), address=source_ip()
    )
    return token_pair(grant)


@api.route("/refresh", methods=["POST"])
@operation(
    "Exchange a refresh token for a new token pair",
    body=schemas.RefreshRequest,
    response=schemas.TokenPair,
    errors=(401,),
    description="The refresh token given stops working. Giving an already-used one ends its "
    "whole session.",
)
def refresh() -> Response:
    return token_pair(auth().refresh(body(schemas.RefreshRequest).refresh_token))


@api.route("/logout", methods=["POST"])
@operation("End the session of a refresh token", body=schemas.RefreshRequest, status=204)
def logout() -> Response:
    auth().logout(body(schemas.RefreshRequest).refresh_token)
    return Response(body="", status_code=204)


@api.route("/logout-all", methods=["POST"], authorizer=access_token)
@operation("End every session of the signed-in user", response=schemas.SessionsEnded)
def logout_all() -> Response:
    user_id, _ = caller()
    ended = auth().logout_all(user_id)
    return json_response(schemas.SessionsEnded(sessions_ended=ended))


@api.route("/password/reset", methods=["POST"])
@operation(
    "Set a new password with a reset_password code",
    body=schemas.PasswordResetRequest,
    status=204,
    errors=(429,),
    description="Ends every session of the account.",
)
def password_reset() -> Response:
    request = body(schemas.PasswordResetRequest)
    auth().reset_password(
        phone=request.phone,
        code=request.code,
        new_password=request.new_password.get_secret_value(),
    )
    return Response(body="", status_code=204)


@api.route("/password/change", methods=["POST"], authorizer=access_token)
@operation(
    "Change the signed-in user's password",
    body=schemas.PasswordChangeRequest,
    response=schemas.SessionsEnded,
    errors=(429,),
    description="Ends every other session of the user.",
)
def password_change() -> Response:
    request = body(schemas.PasswordChangeRequest)
    user_id, session_id = caller()
    ended = auth().change_password(
        user_id=user_id,
        session_id=session_id,
        current_password=request.current_password.get_secret_value(),
        new_password=request.new_password.get_secret_value(),
    )
    return json_response(schemas.SessionsEnded(sessions_ended=ended))


@api.route("/.well-known/jwks.json")
@operation(
    "The public keys that verify access tokens (JWKS)",
    response=schemas.Jwks,
    description="Includes the next key before it signs and the previous one until its "
    "tokens have expired.",
)
def jwks() -> Response:
    return json_response(auth().jwks(), headers={"Cache-Control": "public, max-age=300"})
