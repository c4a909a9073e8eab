"""Reading what a participant sends: one JSON frame becomes one command, or a FrameError that
names what is wrong (see `chalicelib.protocol` for the frames)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.protocol import (
    ACTIONS,
    MAX_CANDIDATE_BYTES,
    MAX_FRAME_BYTES,
    MAX_SDP_BYTES,
)


class FrameError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def frame(self) -> dict[str, Any]:
        frame = {"type": "error", "code": self.code, "message": self.message}
        if self.field:
            frame["field"] = self.field
        return frame


@dataclass(frozen=True)
class Join:
    pass


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class Relay:
    """An offer, answer or ICE candidate for the other participant: `payload` is what they get,
    apart from `type` and `from`."""

    kind: str
    payload: dict[str, Any]


Command = Join | Leave | Ping | Relay


def parse_frame(body: str | bytes | None) -> Command:
    raw = body.encode() if isinstance(body, str) else (body or b"")
    if len(raw) > MAX_FRAME_BYTES:
        raise FrameError("too_large", f"A frame is at most {MAX_FRAME_BYTES} bytes.")
    try:
        frame = json.loads(raw)
    except ValueError:
        frame = None
    if not isinstance(frame, dict):
        raise FrameError("bad_frame", "Send a JSON object with an action.")
    action = frame.get("action")
    if action not in ACTIONS:
        raise FrameError("bad_frame", f"`action` must be one of: {', '.join(ACTIONS)}.", "action")
    if action == "join":
        return Join()
    if action == "leave":
        return Leave()
    if action == "ping":
        return Ping()
    if action in ("offer", "answer"):
        return Relay(action, {"sdp": _sdp(frame.get("sdp"))})
    return Relay("ice_candidate", {"candidate": _candidate(frame.get("candidate", ...))})


def _sdp(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("v=0"):
        raise FrameError("bad_frame", "`sdp` must be a session description (v=0...).", "sdp")
    if len(value.encode()) > MAX_SDP_BYTES:
        raise FrameError("too_large", f"`sdp` is at most {MAX_SDP_BYTES} bytes.", "sdp")
    return value


_CANDIDATE_FIELDS = {
    "candidate": str,
    "sdpMid": (str, type(None)),
    "sdpMLineIndex": (int, type(None)),
    "usernameFragment": (str, type(None)),
}


def _candidate(value: Any) -> dict[str, Any] | None:
    if value is None:  # the end of the sender's candidates
        return None
    if not isinstance(value, dict) or not isinstance(value.get("candidate"), str):
        raise FrameError(
            "bad_frame", "`candidate` must be an RTCIceCandidate object or null.", "candidate"
        )
    # Only what RTCIceCandidateInit holds is passed on: nothing else travels between people.
    kept: dict[str, Any] = {}
    for name, kinds in _CANDIDATE_FIELDS.items():
        if name not in value:
            continue
        if not isinstance(value[name], kinds) or isinstance(value[name], bool):
            raise FrameError(
                "bad_frame", f"`candidate.{name}` has the wrong type.", f"candidate.{name}"
            )
        kept[name] = value[name]
    if len(json.dumps(kept).encode()) > MAX_CANDIDATE_BYTES:
        raise FrameError(
            "too_large", f"`candidate` is at most {MAX_CANDIDATE_BYTES} bytes.", "candidate"
        )
    return kept
