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

ACTIONS = ("join", "offer", "answer", "ice_candidate", "leave", "ping")

# API Gateway: a WebSocket frame is at most 32 KB and a message at most 128 KB. One relayed
# message must fit one frame to every client, whatever the client's own library does.
MAX_FRAME_BYTES = 32 * 1024
# A real SDP of an audio+video call is 3-10 KB; more is a bug or an attack.
MAX_SDP_BYTES = 16 * 1024
MAX_CANDIDATE_BYTES = 1024
