"""The signaling service's HTTP routes: the ICE servers of a consultation's call."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from keneya import http
from keneya.openapi import operation
from keneya.tokens import principal


def blueprint(authorizer: Any) -> Blueprint:
    routes = Blueprint(__name__)

    @routes.route("/ice-servers", authorizer=authorizer)
    @operation(
        "ICE servers and a time-limited TURN credential for a consultation's call",
        query=schemas.IceServersQuery,
        response=schemas.IceServersAnswer,
        errors=(400, 401, 404, 409),
        description="Only the doctor and the patient of a consultation whose room is open get "
        "them; the credential follows the TURN REST API scheme (coturn `use-auth-secret`).",
    )
    def ice_servers() -> Response:
        from chalicelib.bootstrap import ice_servers_for, signaling

        request = routes.current_request
        who = principal(request)
        query = http.parse_query(schemas.IceServersQuery, request)
        signaling().admit(who.user_id, query.consultation_id)
        answer = ice_servers_for(who.user_id).to_json()
        return http.json_response(answer, headers={"Cache-Control": "no-store"})

    return routes
