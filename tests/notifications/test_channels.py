import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.channels import classify, push_payload
from chalicelib.delivery import PermanentFailure, TransientFailure
from chalicelib.notices import Message, Notice


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "..."}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Publish",
    )


@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (client_error("Throttling", 400), TransientFailure, "Throttling"),
        (client_error("InternalError", 500), TransientFailure, "InternalError"),
        (client_error("Whatever", 503), TransientFailure, "Whatever"),
        (client_error("MessageRejected", 400), PermanentFailure, "MessageRejected"),
        (client_error("EndpointDisabled", 400), PermanentFailure, "EndpointDisabled"),
        (EndpointConnectionError(endpoint_url="https://sns"), TransientFailure,
         "EndpointConnectionError"),
    ],
)
def test_provider_errors_are_sorted_into_now_or_never(error, kind, reason):
    problem = classify(error)

    assert isinstance(problem, kind)
    assert problem.reason == reason


def test_an_error_that_is_not_the_providers_is_not_hidden():
    with pytest.raises(KeyError):
        classify(KeyError("bug"))


def test_a_push_carries_each_platforms_shape_and_the_ids_to_open():
    notice = Notice(
        id="01JN0000000000000000000000", kind="consultation.started", category="appointments",
        user_id="p-1", channels=("push",), link={"consultation_id": "c-1", "room_id": "r-1"},
    )
    message = Message(
        title="Votre médecin vous attend", body="Rejoignez-la.", sms="", email_body=""
    )

    payload = json.loads(push_payload(message, notice))

    assert payload["default"] == "Rejoignez-la."
    fcm = json.loads(payload["GCM"])
    assert fcm["notification"]["title"] == "Votre médecin vous attend"
    assert fcm["data"] == {"notification_id": notice.id, "type": "consultation.started",
                           "consultation_id": "c-1", "room_id": "r-1"}
    assert json.loads(payload["APNS"])["aps"]["alert"]["body"] == "Rejoignez-la."
