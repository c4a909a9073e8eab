"""Request and response bodies of the notifications HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from chalicelib.preferences import Language
from keneya.openapi import example

Platform = Literal["android", "ios", "web"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListQuery(Body):
    limit: int = Field(20, ge=1, le=100, description="Notifications per page")
    cursor: str | None = Field(
        None, max_length=2048, description="`next_cursor` of the previous page"
    )
    unread: bool = Field(False, description="Only the unread ones")


class NotificationView(BaseModel):
    id: str
    type: str = Field(description="What happened, e.g. consultation.confirmed")
    category: Literal["security", "account", "appointments", "payments", "records"]
    title: str
    body: str
    link: dict[str, str] = Field(description="Ids a client opens (consultation_id, ...)")
    created_at: str = Field(description="UTC, ISO 8601")
    read: bool
    read_at: str | None


class DeliveryView(BaseModel):
    channel: Literal["in_app", "push", "sms", "email"]
    status: str
    attempts: int
    reason: str | None
    updated_at: str


class NotificationDetail(NotificationView):
    deliveries: list[DeliveryView]


class NotificationPage(BaseModel):
    items: list[NotificationView]
    next_cursor: str | None
    unread: int


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
    unread: int


ChannelChoices = dict[str, StrictBool]


class PreferencesUpdate(Body):
    model_config = example(
        {
            "categories": {
                "appointments": {"sms": True, "push": True},
                "payments": {"email": False},
            },
            "language": "fr",
        }
    )

    categories: dict[str, ChannelChoices] = Field(
        default_factory=dict,
        description="category -> channel -> on/off; what is not named keeps its setting",
    )
    language: Language | None = Field(None, description="Language of notifications")


class PreferencesView(BaseModel):
    language: Language
    categories: dict[str, dict[str, bool]]
    locked: list[str] = Field(description="Categories that are always sent (security)")
    reachable: dict[str, bool] = Field(
        description="Channels that can reach the person now: SMS needs a verified phone, "
        "e-mail an address, push a registered device"
    )


class DeviceRegistration(Body):
    model_config = example(
        {"token": "fcm-dGhpcy1pcy1hLXJlZ2lzdHJhdGlvbi10b2tlbg", "platform": "android"}
    )

    token: str = Field(
        min_length=16,
        max_length=4096,
        pattern=r"^[\x21-\x7e]+$",
        description="The FCM registration token or APNs device token",
    )
    platform: Platform


class DeviceView(BaseModel):
    id: str
    platform: Platform
    registered_at: str


class DeviceList(BaseModel):
    items: list[DeviceView]
