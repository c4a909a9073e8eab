"""What a client may say on its socket, and the answers.

Frames are JSON objects with an `action`:

    {"action": "ping"}                         -> {"type": "pong"}
    {"action": "unread_count"}                 -> {"type": "unread_count", "unread": 3}
    {"action": "sync", "after": "<id>"}        -> {"type": "sync", "notifications": [...],
                                                   "more": false, "unread": 3}
    {"action": "read", "id": "<id>"}           -> every socket of the person gets
                                                  {"type": "unread_count", "unread": 2}

`sync` is how a client that reconnects catches up: it sends the id of the last notification it
holds and gets what came after, oldest first, in pages (ask again while `more` is true).
Anything else gets {"type": "error", "code": ..., "message": ...}.

The schemas below describe every frame (the AsyncAPI document at /api/v1/asyncapi.json is made
of them); this module imports nothing heavy, as the app loads it at every cold start.
"""

from __future__ import annotations

from keneya.asyncapi import SocketApi, frame

NOTIFICATION_ID = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$", "description": "ULID"}
UNREAD = {"type": "integer", "minimum": 0}
NOTIFICATION = {
    "type": "object",
    "description": "One notification of the inbox, as GET /api/v1/notifications lists it",
    "properties": {
        "id": NOTIFICATION_ID,
        "type": {"type": "string", "description": "What happened (the event it tells of)"},
        "category": {"type": "string"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "link": {"type": "object", "additionalProperties": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time"},
        "read": {"type": "boolean"},
        "read_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["id", "type", "category", "title", "body", "link", "created_at", "read"],
}


def socket_api() -> SocketApi:
    return SocketApi(
        title="Notifications: the in-app inbox, live",
        description=(__doc__ or "").split("\n\nThe schemas below")[0].strip(),
        query={"token": ("The person's access token", True)},
        refusals={401: "no valid access token"},
        client_frames={
            "ping": frame("action", "ping"),
            "unread_count": frame("action", "unread_count"),
            "sync": frame("action", "sync", {"after": NOTIFICATION_ID}, "after"),
            "read": frame("action", "read", {"id": NOTIFICATION_ID}),
        },
        server_frames={
            "pong": frame("type", "pong"),
            "unread_count": frame("type", "unread_count", {"unread": UNREAD}),
            "sync": frame(
                "type",
                "sync",
                {
                    "notifications": {"type": "array", "items": NOTIFICATION},
                    "more": {"type": "boolean"},
                    "unread": UNREAD,
                },
            ),
            "notification": frame(
                "type", "notification", {"notification": NOTIFICATION, "unread": UNREAD}
            ),
            "error": frame(
                "type",
                "error",
                {
                    "code": {"enum": ["not_connected", "bad_frame", "not_found", "unknown_action"]},
                    "message": {"type": "string"},
                },
            ),
        },
    )

