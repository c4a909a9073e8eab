"""Keeps moto's DynamoDB streams readable after a cancelled transaction.

moto (5.2) applies a `TransactWriteItems` item by item, then undoes a cancelled one by swapping
each table for a copy taken beforehand. The copy brings its own stream shard: whoever was
reading the table's stream keeps the old shard, which received the cancelled writes' records
and never receives another. On the local stack that means a phantom event published (say, a
`user.registered` for a registration refused with 409) and then no event of that service ever
again. DynamoDB itself never does either: a cancelled transaction writes nothing.

`install()` makes the undo restore the table in place (the copy's content into the live table
object) and drop the cancelled writes' records from the live shard. It applies to a moto server
running in this process (the test session's), and is idempotent.
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_keneya_keeps_streams"


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        live = dict(self.tables)
        records_before = {
            name: len(table.stream_shard.items)
            for name, table in live.items()
            if table.stream_shard is not None
        }
        try:
            return original(self, transact_items)
        except Exception:
            for name, table in live.items():
                restored = self.tables.get(name)
                if restored is None or restored is table:
                    continue
                shard = table.stream_shard
                table.__dict__.update(
                    {
                        key: value
                        for key, value in restored.__dict__.items()
                        if key != "stream_shard"
                    }
                )
                if shard is not None:
                    del shard.items[records_before.get(name, 0) :]
                self.tables[name] = table
            raise

    setattr(transact_write_items, _MARK, True)
    DynamoDBBackend.transact_write_items = transact_write_items
