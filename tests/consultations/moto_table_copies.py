"""Makes moto's DynamoDB transactions copy each table once, not once per item.

moto (5.2) backs a `TransactWriteItems` up before applying it by deep-copying the table of every
item, one copy per item: a booking (a dozen items, all in one table) copies the whole table a
dozen times, and the time grows with the table. All those copies are taken before the first
write, so they are equal: `install()` makes the transaction reuse the first copy of each table.
Nothing else changes (the rollback still restores the same state). It applies to a moto server
running in this process (the test session's), and is idempotent.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_MARK = "_keneya_copies_tables_once"


class _CopyOncePerTransaction:
    """Stands in for the `copy` module inside moto's DynamoDB models."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type
        self._active = threading.local()

    def begin(self) -> None:
        self._active.copies = {}

    def end(self) -> None:
        self._active.copies = None

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        copies = getattr(self._active, "copies", None)
        if copies is None or not isinstance(value, self._table_type):
            return copy.deepcopy(value, memo)
        if id(value) not in copies:
            copies[id(value)] = (value, copy.deepcopy(value))
        return copies[id(value)][1]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, _MARK, False):
        return
    shim = _CopyOncePerTransaction(Table)
    models.copy = shim  # type: ignore[assignment]

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        shim.begin()
        try:
            return original(self, transact_items)
        finally:
            shim.end()

    setattr(transact_write_items, _MARK, True)
    DynamoDBBackend.transact_write_items = transact_write_items
