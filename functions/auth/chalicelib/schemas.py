"""Request and response bodies of the auth API (validated by pydantic, documented in OpenAPI).

Phone numbers are normalised to E.164 (a Malian `76 12 34 56` becomes `+22376123456`) and
e-mail addresses lower-cased while parsing, so the rest of the service sees one spelling.
Passwords are `SecretStr`: they print as `**********` wherever a model is shown.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    model_validator,
)

from chalicelib.phones import InvalidLogin, normalise_email, normalise_phone
from keneya.openapi import example


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidLogin as error:
        raise ValueError(str(error)) from None


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except InvalidLogin as error:
        raise ValueError(str(error)) from None


Phone = Annotated[
    str,
    Field(
        max_length=32, description="E.164, or a Malian 8-digit number", examples=["+22376123456"]
    ),
    AfterValidator(_phone),
]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
# Bounded here so nobody makes us hash megabytes; the policy's own limits give the clear message.
Password = Annotated[SecretStr, Field(min_length=1, max_length=1024)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
OtpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
Token = Annotated[str, Field(min_length=16, max_length=512)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegisterRequest(Body):
    model_config = example(
        {
            "role": "patient",
            "full_name": "Awa Traoré",
            "phone": "+22376123456",
            "password": "Sanou-Kènèya-2026",
            "language": "fr",
        }
    )

    role: Literal["patient", "doctor"]
    full_name: FullName
    phone: Phone | None = None
    email: Email | None = None
    password: Password
    language: Literal["fr", "en", "bm"] = "fr"

    @model_validator(mode="after")
    def _needs_a_login(self) -> RegisterRequest:
        if not self.phone and not self.email:
            raise ValueError("give a phone number, an e-mail address, or both")
        return self


class AccountView(BaseModel):
    user_id: str
    role: Literal["patient", "doctor", "admin"]
    full_name: str
    phone: str | None
    email: str | None
    phone_verified: bool
    language: str


class LoginRequest(Body):
    model_config = example({"phone": "+22376123456", "password": "Sanou-Kènèya-2026"})

    phone: Phone | None = None
    email: Email | None = None
    password: Password

    @model_validator(mode="after")
    def _one_login(self) -> LoginRequest:
        if bool(self.phone) == bool(self.email):
            raise ValueError("give either a phone number or an e-mail address")
        return self


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid")
    user_id: str
    role: str


class RefreshRequest(Body):
    model_config = example({"refresh_token": "rt1.Zk9mQ2x3VnRqY0hsN2dYd0JQa0ZtWQ"})

    refresh_token: Token


class OtpSendRequest(Body):
    model_config = example({"phone": "+22376123456", "purpose": "verify_phone"})

    phone: Phone
    purpose: Literal["verify_phone", "reset_password"] = "verify_phone"


class OtpSendResponse(BaseModel):
    expires_in: int = Field(description="Seconds the code is valid, once received")
    resend_after: int = Field(description="Seconds before another code can be requested")


class OtpVerifyRequest(Body):
    model_config = example({"phone": "+22376123456", "code": "482913", "purpose": "verify_phone"})

    phone: Phone
    code: OtpCode
    purpose: Literal["verify_phone"] = Field(
        "verify_phone", description="Reset codes are used by /password/reset"
    )


class PhoneVerifiedView(BaseModel):
    user_id: str
    phone: str
    phone_verified: Literal[True] = True


class PasswordResetRequest(Body):
    model_config = example(
        {"phone": "+22376123456", "code": "482913", "new_password": "Baobab-Sahel-2027"}
    )

    phone: Phone
    code: OtpCode
    new_password: Password


class PasswordChangeRequest(Body):
    model_config = example(
        {"current_password": "Sanou-Kènèya-2026", "new_password": "Baobab-Sahel-2027"}
    )

    current_password: Password
    new_password: Password


class SessionsEnded(BaseModel):
    sessions_ended: int


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")
    kty: str
    kid: str
    use: str
    alg: str


class Jwks(BaseModel):
    keys: list[Jwk]
