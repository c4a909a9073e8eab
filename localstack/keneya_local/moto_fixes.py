"""Makes an in-process moto server undo a cancelled DynamoDB transaction as DynamoDB does.

moto (5.2) backs a `TransactWriteItems` up by deep-copying the table of every item, once per
item, and on cancellation swaps the copies in. A booking (a dozen items, all in one table)
therefore copies the whole table a dozen times: the cost grows with the table until a booking
takes seconds, and the swap also leaves the table's stream readers on a dead shard: one
phantom event is published (a `user.registered` for a registration refused with 409) and then
no event of that table ever again. `install()` makes those backups free (the live table stands
for its copy, so the swap changes nothing) and undoes a cancelled transaction itself: it puts
back each touched item as it was before and drops the stream records the transaction wrote.
DynamoDB itself writes nothing for a cancelled transaction; after the undo, neither has moto.

It also makes S3 answer a browser's CORS preflight (OPTIONS) on a presigned URL as S3 does:
from the bucket's CORS rules, never authenticated. moto (5.2) checks the presigned URL's signed
headers on the preflight too, which carries none of them, and refuses it: a browser could never
upload an attachment with a presigned PUT.

And it makes each DynamoDB request atomic, as DynamoDB's are. moto's threaded server runs
requests side by side, and its backend has no lock: two transactions racing for one slot could
both pass their conditions, and a read could see half a transaction. Once functions run in
several sandboxes at once, they do race; every DynamoDB operation now holds one lock while it
reads or writes the tables.

And it answers DynamoDB's item operations without moto's shape-driven response serializer:
their results are already the JSON the API sends (attribute values as `{"S": ...}`), and
walking the operation's output shape for every attribute of every item cost most of moto's
time in a consumer's round trip. Anything else, or a result that is not plain JSON, still goes
through the serializer.

And it reads less for a Query. moto (5.2) sorts every item of the table to find one partition,
deep-copies each item it keeps, and builds each projected item by turning the whole item into
plain Python and back. A person's unread count (a Query of their partition) cost time in
proportion to every notification of every person. A Query now looks at its own partition only
(or, on an index, at the items whose index key matches), a projection of top-level attributes
copies just those, and the copy of items that a projection rebuilds anyway is skipped. moto's
list of its own modules, read from the disk for every request to find its backend, is read
once.

It applies to a moto server running in this process (the local stack's or a test session's),
and is idempotent.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

_MARK = "_keneya_rolls_back_touched_items"
_PREFLIGHT_MARK = "_keneya_answers_preflights_unsigned"
_ATOMIC_MARK = "_keneya_one_request_at_a_time"
_FAST_MARK = "_keneya_item_results_as_json"
_QUERY_MARK = "_keneya_query_reads_one_partition"
_ITEM_OPERATIONS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
}
_DYNAMODB_OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
)


class _NoTableCopies:
    """Stands in for the `copy` module inside moto's DynamoDB models: inside a transaction, a
    table's "copy" is the table itself."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type
        self._in_transaction = threading.local()

    def enter(self) -> None:
        self._in_transaction.active = True

    def leave(self) -> None:
        self._in_transaction.active = False

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if getattr(self._in_transaction, "active", False) and isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _touched(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any]]:
    """(table, hash key, range key) of every item the transaction writes."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    touched = []
    for entry in transact_items:
        (operation, request), *_ = entry.items()
        if operation == "ConditionCheck":
            continue
        table = backend.tables.get(request.get("TableName"))
        if table is None:
            continue
        source = request["Item"] if operation == "Put" else request.get("Key", {})
        if table.hash_key_attr not in source:
            continue
        hash_key = DynamoType(source[table.hash_key_attr])
        range_key = (
            DynamoType(source[table.range_key_attr])
            if table.range_key_attr and table.range_key_attr in source
            else None
        )
        touched.append((table, hash_key, range_key))
    return touched


def _restore(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is not None:
        if item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
            if hash_key in table.items and not table.items[hash_key]:
                del table.items[hash_key]
        else:
            table.items[hash_key][range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item


def install() -> None:
    _answer_s3_preflights()
    _undo_cancelled_transactions()
    _one_dynamodb_request_at_a_time()
    _item_results_as_json()
    _query_reads_one_partition()
    _moto_modules_listed_once()


def _answer_s3_preflights() -> None:
    from moto.s3.responses import S3Response

    original = S3Response._key_response
    if getattr(original, _PREFLIGHT_MARK, False):
        return

    @functools.wraps(original)
    def key_response(self: Any, request: Any, full_url: str) -> Any:
        if request.method == "OPTIONS":
            bucket_name = self.parse_bucket_name_from_url(request, full_url)
            return self._response_options(request.headers, bucket_name)
        return original(self, request, full_url)

    setattr(key_response, _PREFLIGHT_MARK, True)
    S3Response._key_response = key_response


def _undo_cancelled_transactions() -> None:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items
    if getattr(original, _MARK, False):
        return
    shim = _NoTableCopies(Table)
    models.copy = shim  # type: ignore[assignment]

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = _touched(self, transact_items)
        before = [
            (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            for table, hash_key, range_key in touched
        ]
        records = {
            id(table): (table.stream_shard, len(table.stream_shard.items))
            for table, _, _ in touched
            if table.stream_shard is not None
        }
        shim.enter()
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(before):
                _restore(table, hash_key, range_key, item)
            for shard, count in records.values():
                del shard.items[count:]
            raise
        finally:
            shim.leave()

    setattr(transact_write_items, _MARK, True)
    DynamoDBBackend.transact_write_items = transact_write_items


def _one_dynamodb_request_at_a_time() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.put_item, _ATOMIC_MARK, False):
        return
    # Reentrant: a transaction's own writes go through put_item and update_item.
    lock = threading.RLock()
    for name in _DYNAMODB_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None:
            continue

        def atomic(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(*args, **kwargs)

        functools.update_wrapper(atomic, original)
        setattr(atomic, _ATOMIC_MARK, True)
        setattr(DynamoDBBackend, name, atomic)

    # A stream is read under the same lock: a reader woken by a cancelled transaction's record
    # must not see it before the transaction's undo takes it back.
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    get_records = DynamoDBStreamsBackend.get_records

    def atomic_get_records(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return get_records(*args, **kwargs)

    functools.update_wrapper(atomic_get_records, get_records)
    DynamoDBStreamsBackend.get_records = atomic_get_records  # type: ignore[method-assign]


def _without_nones(value: Any) -> Any:
    # The serializer leaves out what is None (a last page has no LastEvaluatedKey at all).
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value


def _item_results_as_json() -> None:
    import json

    from moto.core.responses import ActionResult

    original = ActionResult.execute_result
    if getattr(original, _FAST_MARK, False):
        return

    @functools.wraps(original)
    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if (
            type(self).__name__ in ("ActionResult", "DynamoResult")
            and isinstance(result, dict)
            and context.service_model.service_name == "dynamodb"
            and context.operation_model.name in _ITEM_OPERATIONS
        ):
            try:
                body = json.dumps(_without_nones(result), separators=(",", ":"))
            except (TypeError, ValueError):
                return original(self, context)
            headers = {"Content-Type": "application/x-amz-json-1.0"}
            return 200, headers, body
        return original(self, context)

    setattr(execute_result, _FAST_MARK, True)
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]


class _OnePartition:
    """A table seen through one Query: `all_items()` holds only the items the Query's key can
    match, in the table's order; everything else is the table's."""

    def __init__(self, table: Any, items: list[Any]) -> None:
        self._table = table
        self._items = items

    def all_items(self) -> list[Any]:
        return self._items

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


class _CopiesSkipped:
    """Stands in for the `copy` module inside moto's table model: while a Query's results are
    about to be rebuilt by a projection, their deep copy is the list itself."""

    def __init__(self) -> None:
        self._skipping = threading.local()

    def skip(self, value: bool) -> None:
        self._skipping.active = value

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if getattr(self._skipping, "active", False) and isinstance(value, list):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _candidates(table: Any, hash_key: Any, index_name: str | None, conditions: Any) -> list[Any]:
    """The items a Query's key can match, as moto's `all_items()` orders them."""
    if index_name is None:
        partition = table.items.get(hash_key) if hash_key is not None else None
        if partition is None:
            return []
        if not table.range_key_attr:
            return [partition]
        return sorted(partition.values(), key=lambda item: item.range_key)
    wanted = list(conditions or [])
    if not wanted:
        return table.all_items()
    found = []
    for stored in table.items.values():
        for item in stored.values() if table.range_key_attr else (stored,):
            if all(_equal(item.attrs.get(name), value) for name, value in wanted):
                found.append(item)
    return found


def _equal(stored: Any, wanted: Any) -> bool:
    # moto's DynamoType cannot be compared with None (an item without the index's key).
    return stored is not None and stored == wanted


def _query_reads_one_partition() -> None:
    import inspect

    import moto.dynamodb.models.table as table_module
    from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    if getattr(original_query, _QUERY_MARK, False):
        return
    signature = inspect.signature(original_query)
    copies = _CopiesSkipped()
    table_module.copy = copies  # type: ignore[assignment]

    @functools.wraps(original_query)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        arguments = bound.arguments
        if arguments.get("filter_kwargs"):  # the legacy QueryFilter: left to moto as it is
            return original_query(self, *args, **kwargs)
        narrowed = _OnePartition(
            self,
            _candidates(
                self,
                arguments.get("hash_key"),
                arguments.get("index_name"),
                arguments.get("hash_key_conditions"),
            ),
        )
        copies.skip(bool(arguments.get("projection_expressions")))
        try:
            return original_query(narrowed, *args, **kwargs)
        finally:
            copies.skip(False)

    setattr(query, _QUERY_MARK, True)
    Table.query = query  # type: ignore[method-assign]

    original_project = Item.project

    @functools.wraps(original_project)
    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        names = [path[0] for path in projection_expressions if len(path) == 1]
        if len(names) != len(projection_expressions) or any("[" in name for name in names):
            return original_project(self, projection_expressions)
        projected = Item.__new__(Item)
        projected.hash_key = self.hash_key
        projected.range_key = self.range_key
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(attrs)
        for name in names:
            if name in self.attrs:
                dict.__setitem__(attrs, name, copy.deepcopy(self.attrs[name]))
        projected.attrs = attrs
        return projected

    Item.project = project  # type: ignore[method-assign]


def _moto_modules_listed_once() -> None:
    from moto import backends

    if isinstance(backends.list_of_moto_modules, functools._lru_cache_wrapper):
        return
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = functools.cache(lambda: modules)  # type: ignore[assignment]
