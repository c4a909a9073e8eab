from chalicelib.redelivery import delay_failed


class Sqs:
    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[dict] = []
        self.refuse = refuse

    def change_message_visibility(self, **call):
        if self.refuse:
            raise RuntimeError("no")
        self.calls.append(call)


def record(message_id: str, received: int) -> dict:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "attributes": {"ApproximateReceiveCount": str(received)},
    }


def test_only_the_failed_events_are_delayed_longer_each_time_they_came_back():
    batch = {"Records": [record("a", 1), record("b", 3), record("c", 1)]}
    result = {"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "b"}]}
    sqs = Sqs()

    delayed = delay_failed(batch, result, sqs=sqs, queue_url="q", base_seconds=30)

    assert delayed == [("a", 30), ("b", 120)]
    assert sqs.calls == [
        {"QueueUrl": "q", "ReceiptHandle": "rh-a", "VisibilityTimeout": 30},
        {"QueueUrl": "q", "ReceiptHandle": "rh-b", "VisibilityTimeout": 120},
    ]


def test_a_delay_that_cannot_be_set_leaves_the_event_to_the_queues_own_timeout():
    batch = {"Records": [record("a", 1)]}

    delayed = delay_failed(
        batch, {"batchItemFailures": [{"itemIdentifier": "a"}]},
        sqs=Sqs(refuse=True), queue_url="q", base_seconds=30,
    )

    assert delayed == []
