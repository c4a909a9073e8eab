"""The HTTP API under /api/v1/notifications: the inbox, preferences and push devices.

Every route is the signed-in person's own: another person's notification or device is a 404,
as if it did not exist. Views parse, call the stores, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import schemas
from chalicelib.inbox import is_notification_id
from chalicelib.preferences import CATEGORIES, DEFAULT_LANGUAGE, LOCKED
from keneya.http import (
    BadRequest,
    FieldError,
    NotFound,
    ServiceUnavailable,
    json_response,
    parse_body,
    parse_query,
)
from keneya.openapi import operation
from keneya.tokens import principal


def _parts() -> Any:
    from chalicelib.bootstrap import parts

    return parts()


def blueprint(authorizer: Any) -> Blueprint:
    """The routes, protected by `authorizer` (the app's JWT authorizer)."""
    api = Blueprint(__name__)

    def caller() -> str:
        return principal(api.current_request).user_id

    def announce_unread(user_id: str) -> int:
        unread = _parts().inbox.unread_count(user_id)
        _parts().sockets.push(user_id, {"type": "unread_count", "unread": unread})
        return unread

    # -- inbox -----------------------------------------------------------------------------

    @api.route("/", authorizer=authorizer)
    @operation(
        "The caller's notifications, newest first",
        query=schemas.ListQuery,
        response=schemas.NotificationPage,
        errors=(400, 401),
        description="Cursor-paginated: pass `next_cursor` back as `cursor` for the next page. "
        "`unread=true` lists the unread ones only.",
    )
    def list_notifications() -> Response:
        from chalicelib.inbox import InvalidCursor

        query = parse_query(schemas.ListQuery, api.current_request)
        user_id = caller()
        try:
            page = _parts().inbox.page(
                user_id, limit=query.limit, cursor=query.cursor, unread_only=query.unread
            )
        except InvalidCursor:
            raise BadRequest(
                "The cursor does not continue this listing.",
                errors=[FieldError("cursor", "not a cursor of this listing", "invalid_cursor")],
            ) from None
        return json_response(
            {
                "items": [item.to_json() for item in page.items],
                "next_cursor": page.next_cursor,
                "unread": _parts().inbox.unread_count(user_id),
            }
        )

    @api.route("/unread-count", authorizer=authorizer)
    @operation("How many notifications the caller has not read", response=schemas.UnreadCount)
    def unread_count() -> Response:
        return json_response({"unread": _parts().inbox.unread_count(caller())})

    @api.route("/read-all", methods=["POST"], authorizer=authorizer)
    @operation("Mark every notification of the caller read", response=schemas.MarkedRead)
    def read_all() -> Response:
        user_id = caller()
        marked = _parts().inbox.mark_all_read(user_id)
        return json_response({"marked": marked, "unread": announce_unread(user_id)})

    @api.route("/{notification_id}", authorizer=authorizer)
    @operation(
        "One notification of the caller, with its delivery on each channel",
        response=schemas.NotificationDetail,
        errors=(404,),
    )
    def get_notification(notification_id: str) -> Response:
        item = _parts().inbox.get(caller(), notification_id) if is_notification_id(
            notification_id
        ) else None
        if item is None:
            raise NotFound("No such notification.")
        return json_response(
            {**item.to_json(), "deliveries": _parts().deliveries.of(notification_id)}
        )

    @api.route("/{notification_id}/read", methods=["POST"], authorizer=authorizer)
    @operation(
        "Mark one notification read (again is harmless)",
        response=schemas.NotificationView,
        errors=(404,),
    )
    def read_one(notification_id: str) -> Response:
        user_id = caller()
        item = _parts().inbox.mark_read(user_id, notification_id) if is_notification_id(
            notification_id
        ) else None
        if item is None:
            raise NotFound("No such notification.")
        announce_unread(user_id)
        return json_response(item.to_json())

    # -- preferences -----------------------------------------------------------------------

    def preferences_view(user_id: str, preferences: Any = None) -> dict[str, Any]:
        contact, stored = _parts().people.person(user_id)
        preferences = preferences or stored
        return {
            "language": preferences.language
            or (contact.language if contact else None)
            or DEFAULT_LANGUAGE,
            "categories": preferences.table(),
            "locked": sorted(LOCKED),
            "reachable": {
                "in_app": True,
                "push": bool(_parts().devices.of(user_id)),
                "sms": bool(contact and contact.phone and contact.phone_verified),
                "email": bool(contact and contact.email),
            },
        }

    @api.route("/preferences", authorizer=authorizer)
    @operation("The caller's channels per category", response=schemas.PreferencesView)
    def get_preferences() -> Response:
        return json_response(preferences_view(caller()))

    @api.route("/preferences", methods=["PUT"], authorizer=authorizer)
    @operation(
        "Turn channels on or off per category, choose the language",
        body=schemas.PreferencesUpdate,
        response=schemas.PreferencesView,
        errors=(400, 422),
        description=f"Categories: {', '.join(CATEGORIES)}; channels: in_app, push, sms, email. "
        "Security messages cannot be turned off.",
    )
    def put_preferences() -> Response:
        update = parse_body(schemas.PreferencesUpdate, api.current_request)
        user_id = caller()
        people = _parts().people
        preferences = people.preferences(user_id).changed(update.categories, update.language)
        people.choose(user_id, preferences)
        return json_response(preferences_view(user_id, preferences))

    # -- devices ---------------------------------------------------------------------------

    @api.route("/devices", methods=["POST"], authorizer=authorizer)
    @operation(
        "Register this device for push notifications",
        body=schemas.DeviceRegistration,
        response=schemas.DeviceView,
        status=201,
        errors=(400, 422, 503),
    )
    def register_device() -> Response:
        from chalicelib.devices import PushUnavailable

        registration = parse_body(schemas.DeviceRegistration, api.current_request)
        try:
            device = _parts().devices.register(
                caller(), registration.token, registration.platform
            )
        except PushUnavailable:
            raise ServiceUnavailable(
                f"Push notifications are not available for {registration.platform} yet."
            ) from None
        return json_response(device.to_json(), status=201)

    @api.route("/devices", authorizer=authorizer)
    @operation("The caller's registered devices", response=schemas.DeviceList)
    def list_devices() -> Response:
        devices = _parts().devices.of(caller())
        return json_response({"items": [device.to_json() for device in devices]})

    @api.route("/devices/{device_id}", methods=["DELETE"], authorizer=authorizer)
    @operation("Stop pushing to one of the caller's devices", status=204, errors=(404,))
    def remove_device(device_id: str) -> Response:
        if not _parts().devices.remove(caller(), device_id):
            raise NotFound("No such device.")
        return Response(body="", status_code=204)

    return api
