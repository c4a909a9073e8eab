"""What handling events keeps between its reads and writes: fewer requests, never stale data.

- Reads are kept for one batch at most (`scope`): a person read for one event of a batch is not
  read again for the next, and a person's live sockets and devices, read in the same query as
  their unread count right after a notification is stored, serve the push that follows. When
  the batch ends they are forgotten: the next invocation reads afresh, so a choice made, a
  socket opened or a device registered in between is seen.
- Writes that only record where an event's handling ended (delivery outcomes reached without a
  send, contact facts, a consultation's participants) are kept until the event's end and
  written in one transaction (`commit`), with the record marking the event applied when it
  was (`keneya.consumer.with_applied_record`). A write a send depends on (claiming a channel,
  recording a send) is never kept: it is made at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from keneya.logs import logger

# DynamoDB's limit on the items of one transaction.
TRANSACTION_LIMIT = 100

MISSING: Any = object()


class Batch:
    def __init__(self, transact: Callable[[list[dict[str, Any]]], None]) -> None:
        """`transact(items)`: one TransactWriteItems request (raises botocore's ClientError)."""
        self.transact = transact
        self._depth = 0
        self._reads: dict[tuple[str, str], Any] = {}
        self._writes: dict[tuple[str, str, str], dict[str, Any]] = {}

    @contextmanager
    def scope(self) -> Iterator[None]:
        """A batch (or one event handled on its own): what is kept lives until it ends.
        Scopes nest; the outermost one decides."""
        if self._depth == 0:
            self._reads.clear()
            self._writes.clear()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._reads.clear()
                self._writes.clear()

    # -- reads -----------------------------------------------------------------------------

    def kept(self, kind: str, key: str) -> Any:
        """What was kept of `kind` (e.g. "person") for `key`, or MISSING."""
        return self._reads.get((kind, key), MISSING)

    def keep(self, kind: str, key: str, value: Any) -> None:
        """Keep a read for the rest of the batch; outside any batch nothing is kept."""
        if self._depth:
            self._reads[(kind, key)] = value

    def take(self, kind: str, key: str) -> Any:
        """What was kept, served once (then forgotten), or MISSING."""
        return self._reads.pop((kind, key), MISSING)

    def forget(self, kind: str, key: str) -> None:
        self._reads.pop((kind, key), None)

    # -- writes ----------------------------------------------------------------------------

    def write_at_end(self, update: dict[str, Any]) -> None:
        """Keep a DynamoDB Update (TransactWriteItems form) for `commit`; a later one of the
        same item replaces it. Outside any scope it is written at once."""
        key = (update["TableName"], *(str(v) for v in update["Key"].values()))
        if self._depth == 0:
            self._transact([{"Update": update}])
            return
        self._writes[key] = update  # type: ignore[index]

    def commit(self, *, applied: bool) -> None:
        """Write what was kept, in one transaction where it fits, with the record of the
        event applied when `applied`."""
        from keneya.consumer import with_applied_record

        items = [{"Update": update} for update in self._writes.values()]
        self._writes.clear()
        if not items:
            return  # nothing of ours: the consumer writes its record itself, as it would
        while len(items) > TRANSACTION_LIMIT - 1:
            self._transact(items[: TRANSACTION_LIMIT - 1])
            items = items[TRANSACTION_LIMIT - 1 :]
        if applied:
            with_applied_record(lambda record: self._transact(items + record))
        else:
            self._transact(items)

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """One transaction. An item whose condition fails (a channel finished meanwhile by
        another handling of the event) is left out and the rest written; any other refusal
        raises, and the event is handled again."""
        from botocore.exceptions import ClientError

        while items:
            try:
                self.transact(items)
                return
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons") or []
                failed = {
                    i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"
                }
                others = [r for r in reasons if r.get("Code") not in (None, "None", "")]
                if not failed or len(others) > len(failed):
                    raise
                logger.info("writes left out: finished already", extra={"left_out": len(failed)})
                items = [item for i, item in enumerate(items) if i not in failed]
