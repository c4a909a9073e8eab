"""Devices that receive push notifications: an SNS platform endpoint per device token.

Android and web browsers go through Firebase Cloud Messaging, iPhones through APNs; each has an
SNS platform application whose ARN comes from configuration. A token belongs to the device, not
the account: when another person signs in on the device and registers the same token, the
previous holder stops receiving its pushes. While events are handled, the devices the inbox read
with a person's unread count serve that batch's pushes (`chalicelib.batch`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.batch import MISSING, Batch
from chalicelib.tables import DEVICE_PREFIX, Models, device_key, user_pk

if TYPE_CHECKING:
    from chalicelib.schemas import Platform

# Which SNS platform application serves which device platform.
SERVICE_OF: dict[str, str] = {"android": "fcm", "web": "fcm", "ios": "apns"}

_EXISTING_ENDPOINT = re.compile(r"Endpoint (arn:\S+) already exists")


class PushUnavailable(Exception):
    """No push application is configured for this platform."""


@dataclass(frozen=True)
class Device:
    id: str
    user_id: str
    platform: str
    endpoint_arn: str
    registered_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "registered_at": self.registered_at.isoformat(timespec="seconds").replace(
                "+00:00", "Z"
            ),
        }


def device_id(token: str) -> str:
    """A stable id for a token that does not reveal it."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


class Devices:
    def __init__(
        self,
        models: Models,
        sns: Any,
        applications: Callable[[], Mapping[str, str]],
        now: Callable[[], datetime],
        batch: Batch,
    ) -> None:
        """`applications()`: SNS platform application ARN by service ("fcm", "apns")."""
        self.Device = models.Device
        self.sns = sns
        self.applications = applications
        self.now = now
        self.batch = batch

    def register(self, user_id: str, token: str, platform: Platform) -> Device:
        application = self.applications().get(SERVICE_OF[platform])
        if not application:
            raise PushUnavailable(platform)
        endpoint_arn = self._endpoint(application, token)
        identifier = device_id(token)
        D = self.Device
        for holder in D.by_token.query(device_key(identifier)):
            if holder.pk != user_pk(user_id):
                holder.delete()
        now = self.now()
        D(
            pk=user_pk(user_id),
            sk=device_key(identifier),
            device_id=identifier,
            platform=platform,
            endpoint_arn=endpoint_arn,
            registered_at=now,
            gsi1pk=device_key(identifier),
            gsi1sk=user_pk(user_id),
        ).save()
        return Device(identifier, user_id, platform, endpoint_arn, now)

    def _endpoint(self, application: str, token: str) -> str:
        """The endpoint of `token`, created or found, and enabled (SNS disables an endpoint
        whose token the push service refused; a fresh registration means it works again)."""
        try:
            created = self.sns.create_platform_endpoint(
                PlatformApplicationArn=application, Token=token
            )
            return created["EndpointArn"]
        except self.sns.exceptions.InvalidParameterException as error:
            found = _EXISTING_ENDPOINT.search(str(error))
            if not found:
                raise
        endpoint_arn = found.group(1)
        self.sns.set_endpoint_attributes(
            EndpointArn=endpoint_arn, Attributes={"Token": token, "Enabled": "true"}
        )
        return endpoint_arn

    def of(self, user_id: str) -> list[Device]:
        kept = self.batch.kept("devices", user_id)
        if kept is not MISSING:
            return list(kept)
        D = self.Device
        found = [
            device_of(user_id, item)
            for item in D.query(
                user_pk(user_id), D.sk.startswith(DEVICE_PREFIX), consistent_read=True
            )
        ]
        self.batch.keep("devices", user_id, found)
        return found

    def remove(self, user_id: str, identifier: str) -> bool:
        """Forget one of the person's devices and its endpoint; False if they have no such."""
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self.Device.get(user_pk(user_id), device_key(identifier), consistent_read=True)
        except DoesNotExist:
            return False
        item.delete()
        self.sns.delete_endpoint(EndpointArn=item.endpoint_arn)
        return True

    def forget(self, device: Device) -> None:
        """Forget a device whose endpoint the push service disabled (uninstalled app)."""
        self.Device(pk=user_pk(device.user_id), sk=device_key(device.id)).delete()
        self.batch.forget("devices", device.user_id)


def device_of(user_id: str, item: Any) -> Device:
    return Device(item.device_id, user_id, item.platform, item.endpoint_arn, item.registered_at)
