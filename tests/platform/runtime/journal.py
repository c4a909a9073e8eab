"""What the fixture functions wrote down (a DynamoDB table), read back by the tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float = 10.0, every: float = 0.1) -> T:
    """Polls `check` until it returns something truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing within {timeout} s (last: {result!r})")
        time.sleep(every)


class Journal:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def entries(self, kind: str, **match: Any) -> list[dict[str, Any]]:
        """Entries of one kind, oldest first, whose details contain every `match` item."""
        items: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :kind",
            "ExpressionAttributeValues": {":kind": {"S": kind}},
        }
        while True:
            page = self._dynamodb.query(**arguments)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        details = [json.loads(item["details"]["S"]) for item in items]
        return [d for d in details if all(d.get(k) == v for k, v in match.items())]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0, **match: Any) -> list:
        return eventually(
            lambda: found if len(found := self.entries(kind, **match)) >= count else None,
            timeout=timeout,
        )
