"""The auth API documents itself (OpenAPI) for the clients that call it."""

from __future__ import annotations

from keneya.openapi import service_document

ROUTES = {
    "/register": "post",
    "/otp/send": "post",
    "/otp/verify": "post",
    "/login": "post",
    "/refresh": "post",
    "/logout": "post",
    "/logout-all": "post",
    "/password/reset": "post",
    "/password/change": "post",
    "/.well-known/jwks.json": "get",
}


def test_every_route_is_documented_and_only_the_signed_in_ones_need_a_token():
    import app

    document = service_document(app.app, "auth")

    paths = document["paths"]
    for route, method in ROUTES.items():
        operation = paths[f"/api/v1/auth{route}"][method]
        needs_token = route in ("/logout-all", "/password/change")
        assert ("security" in operation) is needs_token, route
    assert paths["/api/v1/auth/register"]["post"]["responses"].keys() >= {"201", "409", "422"}
    login = document["components"]["schemas"]["auth.LoginRequest"]
    assert login["properties"]["password"]["writeOnly"] is True
