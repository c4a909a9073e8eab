"""The shapes of the signaling service's REST API (validation and the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ConsultationId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class IceServersQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consultation_id: ConsultationId


class IceServer(BaseModel):
    """One RTCIceServer, ready for `new RTCPeerConnection({iceServers})`."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServersAnswer(BaseModel):
    ice_servers: list[IceServer] = Field(
        description="STUN and TURN servers; empty where no TURN server is configured "
        "(host candidates only)"
    )
    ttl_seconds: int = Field(description="How long the TURN credential works")
    expires_at: str | None = Field(description="When the TURN credential stops working (UTC)")
