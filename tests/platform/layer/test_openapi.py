"""Each service's OpenAPI document comes from its routes and models; one merged document."""

from chalice import Chalice
from pydantic import BaseModel

from keneya.openapi import merge_documents, operation, service_document
from keneya.tokens import jwt_authorizer


class LoginRequest(BaseModel):
    phone: str
    password: str


class TokenPair(BaseModel):
    access_token: str
    expires_in: int


def auth_app() -> Chalice:
    app = Chalice(app_name="auth")
    authorizer = jwt_authorizer(app)

    @app.route("/login", methods=["POST"])
    @operation("Log in", body=LoginRequest, response=TokenPair, errors=(401,))
    def login():
        return {}

    @app.route("/sessions/{session_id}", methods=["DELETE"], authorizer=authorizer)
    @operation("End a session", status=204)
    def end_session(session_id):
        return {}

    return app


def test_a_documented_route_has_its_body_response_and_errors():
    document = service_document(auth_app(), "auth")

    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["summary"] == "Log in"
    assert login["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/auth.LoginRequest"
    }
    assert set(login["responses"]) == {"200", "400", "401", "415", "422", "500"}
    assert "auth.TokenPair" in document["components"]["schemas"]


def test_a_protected_route_declares_bearer_security_and_its_path_parameter():
    document = service_document(auth_app(), "auth")

    end = document["paths"]["/api/v1/auth/sessions/{session_id}"]["delete"]
    assert end["security"] == [{"bearerAuth": []}]
    assert end["parameters"][0]["name"] == "session_id"
    assert "204" in end["responses"]


def test_the_merged_document_holds_every_service_without_name_clashes():
    users = Chalice(app_name="users")

    @users.route("/me")
    @operation("My profile", response=TokenPair)
    def me():
        return {}

    merged = merge_documents(
        {"auth": service_document(auth_app(), "auth"), "users": service_document(users, "users")}
    )

    assert {"/api/v1/auth/login", "/api/v1/users/me"} <= set(merged["paths"])
    assert {"auth.TokenPair", "users.TokenPair", "Problem"} <= set(merged["components"]["schemas"])
    assert [tag["name"] for tag in merged["tags"]] == ["auth", "users"]
