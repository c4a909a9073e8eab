"""What travels on the signaling WebSocket: the frames a participant sends and the ones it gets.

Connect with `wss://<api>/signaling?token=<access token>&consultation_id=<id>`. The handshake is
refused with 401 without a valid token, 400 without a consultation id, and 403 unless the caller
is the doctor or the patient of that consultation and its room is open (opened by
`consultation.started`, closed by `consultation.completed`, `.cancelled` or `.no_show`).

Every frame is a JSON object. A participant sends `{"action": <name>, ...}`:

    {"action": "join"}                             enter the call (after connecting)
    {"action": "offer", "sdp": "<SDP>"}            relayed to the other participant
    {"action": "answer", "sdp": "<SDP>"}           relayed to the other participant
    {"action": "ice_candidate", "candidate": {"candidate": "...", "sdpMid": "0",
        "sdpMLineIndex": 0, "usernameFragment": "..."}}   (or `"candidate": null`: end)
    {"action": "leave"}                            hang up; the server then closes the socket
    {"action": "ping"}                             -> {"type": "pong"} (keeps mobile NATs open)

and receives `{"type": <name>, ...}`:

    {"type": "joined", "role": "doctor", "consultation_id": "...",
        "peer": {"role": "patient", "present": true}}     the answer to `join`
    {"type": "peer_joined", "role": "patient"}            the other side entered the call
    {"type": "peer_reconnected", "role": "patient"}       the other side came back on a new
        connection (a phone that changed network): start the call again (new peer connection,
        fresh offer), as after `peer_joined`
    {"type": "peer_left", "role": "patient", "reason": "left" | "disconnected"}
    {"type": "offer" | "answer", "from": "doctor", "sdp": "<SDP>"}
    {"type": "ice_candidate", "from": "doctor", "candidate": {...} | null}
    {"type": "left"}                                      the answer to `leave`
    {"type": "room_closed", "reason": "completed" | "cancelled" | "no_show"}   then the server
        closes the socket
    {"type": "replaced"}          this connection was taken over by a newer one of the same person
    {"type": "pong"}
    {"type": "error", "code": "<code>", "message": "<English text>", "field": "<name>"?}

Error codes: `bad_frame` (not a JSON object, unknown action, a field missing or of the wrong
kind: `field` names it), `too_large` (a frame above MAX_FRAME_BYTES or an SDP above MAX_SDP_BYTES),
`not_joined` (relaying before `join`), `peer_absent` (nobody to relay to), `room_closed`,
`not_connected` (the server no longer knows this connection: connect again), `busy` (the room
changed under the join too many times in a row: send `join` again).

Order: when a participant joins, the other one is told (`peer_joined` / `peer_reconnected`)
before the joiner gets `joined`, so an offer sent on `joined` always arrives after the notice.

Who offers: the doctor. Each side starts a fresh RTCPeerConnection when it gets `joined` with the
peer present, `peer_joined` or `peer_reconnected`; then the doctor sends an offer and the patient
answers. An ICE failure is repaired by the doctor with an ICE-restart offer.

Only the two participants of one room ever exchange frames; a frame is never relayed to another
room, and nothing of its content is stored or logged.
"""

from __future__ import annotations

from keneya.asyncapi import SocketApi, frame

ACTIONS = ("join", "offer", "answer", "ice_candidate", "leave", "ping")

# API Gateway: a WebSocket frame is at most 32 KB and a message at most 128 KB. One relayed
# message must fit one frame to every client, whatever the client's own library does.
MAX_FRAME_BYTES = 32 * 1024
# A real SDP of an audio+video call is 3-10 KB; more is a bug or an attack.
MAX_SDP_BYTES = 16 * 1024
MAX_CANDIDATE_BYTES = 1024

# -- the same, as schemas: the AsyncAPI document at /api/v1/asyncapi.json is made of these -------

ROLE = {"enum": ["doctor", "patient"]}
SDP = {"type": "string", "minLength": 1, "maxLength": MAX_SDP_BYTES}
CANDIDATE = {
    "description": "An RTCIceCandidateInit, or null at the end of candidates",
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "properties": {
                "candidate": {"type": "string"},
                "sdpMid": {"type": ["string", "null"]},
                "sdpMLineIndex": {"type": ["integer", "null"], "minimum": 0},
                "usernameFragment": {"type": ["string", "null"]},
            },
            "required": ["candidate"],
            "additionalProperties": False,
        },
    ],
}
ERROR_CODES = (
    "bad_frame",
    "too_large",
    "not_joined",
    "peer_absent",
    "room_closed",
    "not_connected",
    "busy",
)


def socket_api() -> SocketApi:
    return SocketApi(
        title="Signaling: the video call of a consultation",
        description=(__doc__ or "").strip(),
        query={
            "token": ("The participant's access token", True),
            "consultation_id": ("The consultation whose room to enter", True),
        },
        refusals={
            400: "no consultation id",
            401: "no valid access token",
            403: "not the doctor or patient of the consultation, or its room is not open",
        },
        client_frames={
            "join": frame("action", "join"),
            "offer": frame("action", "offer", {"sdp": SDP}),
            "answer": frame("action", "answer", {"sdp": SDP}),
            "ice_candidate": frame("action", "ice_candidate", {"candidate": CANDIDATE}),
            "leave": frame("action", "leave"),
            "ping": frame("action", "ping"),
        },
        server_frames={
            "joined": frame(
                "type",
                "joined",
                {
                    "role": ROLE,
                    "consultation_id": {"type": "string"},
                    "peer": {
                        "type": "object",
                        "properties": {"role": ROLE, "present": {"type": "boolean"}},
                        "required": ["role", "present"],
                        "additionalProperties": False,
                    },
                },
            ),
            "peer_joined": frame("type", "peer_joined", {"role": ROLE}),
            "peer_reconnected": frame("type", "peer_reconnected", {"role": ROLE}),
            "peer_left": frame(
                "type", "peer_left", {"role": ROLE, "reason": {"enum": ["left", "disconnected"]}}
            ),
            "offer": frame("type", "offer", {"from": ROLE, "sdp": SDP}),
            "answer": frame("type", "answer", {"from": ROLE, "sdp": SDP}),
            "ice_candidate": frame("type", "ice_candidate", {"from": ROLE, "candidate": CANDIDATE}),
            "left": frame("type", "left"),
            "room_closed": frame(
                "type", "room_closed", {"reason": {"enum": ["completed", "cancelled", "no_show"]}}
            ),
            "replaced": frame("type", "replaced"),
            "pong": frame("type", "pong"),
            "error": frame(
                "type",
                "error",
                {
                    "code": {"enum": list(ERROR_CODES)},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
                "field",
            ),
        },
        notes=(
            "Who offers: the doctor, on `joined` with the peer present, `peer_joined` or "
            "`peer_reconnected`; the patient answers. The other side hears of a join before "
            "the joiner gets `joined`.",
        ),
    )
