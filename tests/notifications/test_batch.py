"""What a batch keeps between its reads and writes (`chalicelib.batch.Batch`), without I/O: the
transaction is a stand-in that records what it is given."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.batch import MISSING, TRANSACTION_LIMIT, Batch


class Transactions:
    def __init__(self, refuse: list[dict[str, Any]] | None = None) -> None:
        self.written: list[list[dict[str, Any]]] = []
        self.refuse = list(refuse or [])

    def __call__(self, items: list[dict[str, Any]]) -> None:
        if self.refuse:
            raise ClientError(self.refuse.pop(0), "TransactWriteItems")
        self.written.append(items)


def update(sk: str, conditional: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "TableName": "t",
        "Key": {"pk": {"S": "NOTIF#1"}, "sk": {"S": sk}},
        "UpdateExpression": "SET #s = :s",
    }
    if conditional:
        item["ConditionExpression"] = "attribute_not_exists(pk)"
    return item


def cancelled(*codes: str) -> dict[str, Any]:
    return {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [{"Code": code} for code in codes],
    }


def test_a_read_is_served_again_within_its_batch():
    batch = Batch(Transactions())
    with batch.scope():
        batch.keep("person", "p-1", "as read")
        assert batch.kept("person", "p-1") == "as read"


def test_a_read_of_one_invocation_is_never_served_to_the_next():
    batch = Batch(Transactions())
    with batch.scope():  # the first invocation's batch
        batch.keep("person", "p-1", "choices before the change")
    # the person changes their choices; the next invocation must read them afresh
    with batch.scope():
        assert batch.kept("person", "p-1") is MISSING


def test_nothing_is_kept_outside_a_batch():
    batch = Batch(Transactions())
    batch.keep("person", "p-1", "as read")
    assert batch.kept("person", "p-1") is MISSING


def test_an_inner_scope_does_not_end_the_batch():
    batch = Batch(Transactions())
    with batch.scope():
        batch.keep("person", "p-1", "as read")
        with batch.scope():  # one event of the batch
            pass
        assert batch.kept("person", "p-1") == "as read"


def test_sockets_read_with_the_unread_count_serve_one_frame_only():
    batch = Batch(Transactions())
    with batch.scope():
        batch.keep("sockets", "p-1", ["conn-1"])
        assert batch.take("sockets", "p-1") == ["conn-1"]
        assert batch.take("sockets", "p-1") is MISSING


def test_writes_kept_for_the_end_go_in_one_transaction():
    transactions = Transactions()
    batch = Batch(transactions)
    with batch.scope():
        batch.write_at_end(update("CHANNEL#in_app"))
        batch.write_at_end(update("CHANNEL#sms"))
        assert transactions.written == []
        batch.commit(applied=False)
    assert transactions.written == [
        [{"Update": update("CHANNEL#in_app")}, {"Update": update("CHANNEL#sms")}]
    ]


def test_a_later_write_of_the_same_item_replaces_the_earlier():
    transactions = Transactions()
    batch = Batch(transactions)
    with batch.scope():
        batch.write_at_end(update("CHANNEL#sms"))
        later = {**update("CHANNEL#sms"), "UpdateExpression": "SET #s = :later"}
        batch.write_at_end(later)
        batch.commit(applied=False)
    assert transactions.written == [[{"Update": later}]]


def test_nothing_kept_means_no_request():
    transactions = Transactions()
    batch = Batch(transactions)
    with batch.scope():
        batch.commit(applied=True)
    assert transactions.written == []


def test_outside_a_scope_a_write_is_made_at_once():
    transactions = Transactions()
    Batch(transactions).write_at_end(update("CHANNEL#sms"))
    assert transactions.written == [[{"Update": update("CHANNEL#sms")}]]


def test_an_outcome_finished_meanwhile_is_left_out_and_the_rest_written():
    transactions = Transactions(refuse=[cancelled("None", "ConditionalCheckFailed")])
    batch = Batch(transactions)
    with batch.scope():
        batch.write_at_end(update("CHANNEL#in_app"))
        batch.write_at_end(update("CHANNEL#sms", conditional=True))
        batch.commit(applied=False)
    assert transactions.written == [[{"Update": update("CHANNEL#in_app")}]]


def test_a_transaction_refused_for_another_reason_fails_the_event():
    transactions = Transactions(refuse=[cancelled("TransactionConflict", "None")])
    batch = Batch(transactions)
    with batch.scope():
        batch.write_at_end(update("CHANNEL#in_app"))
        batch.write_at_end(update("CHANNEL#sms"))
        with pytest.raises(ClientError):
            batch.commit(applied=False)
        # what was kept is gone with the failed event: its next handling writes it again
        batch.commit(applied=False)
    assert transactions.written == []


def test_more_writes_than_a_transaction_holds_are_split():
    transactions = Transactions()
    batch = Batch(transactions)
    with batch.scope():
        for n in range(TRANSACTION_LIMIT + 5):
            batch.write_at_end(update(f"CHANNEL#{n}"))
        batch.commit(applied=True)
    assert [len(items) for items in transactions.written] == [TRANSACTION_LIMIT - 1, 6]
