"""Lambda's event source mappings and EventBridge schedules, run against the local endpoint.

- SQS: receive up to the batch size (long polling, gathering for the batching window), invoke
  with Lambda's SQS event, delete what succeeded. The poller receives again while batches are
  being handled, up to the function's concurrency, as Lambda's pollers do: a burst is spread over
  several sandboxes at once. Records named in `batchItemFailures`, or the
  whole batch when the function failed, stay in the queue: they come back after the queue's
  visibility timeout, and the queue's redrive policy moves them to its dead-letter queue after
  `maxReceiveCount` receives, as in AWS.
- DynamoDB streams: read each shard from TRIM_HORIZON or LATEST, one batch at a time per
  shard so that records are handled in order, invoke with Lambda's stream event; on a partial
  failure resume at the first failed sequence number, on an error retry the batch (with a
  growing pause: Lambda's default is to retry until the record expires).
- Schedules: `rate(...)` and `cron(...)`, invoked with EventBridge's "Scheduled Event".

Blocking boto3 calls run on a dedicated thread pool so that long polls never starve the loop.
With the stack's moto process, an idle poller sleeps until moto announces an arrival
(`keneya_local.arrivals`) rather than polling.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from keneya_local.arrivals import Arrivals, queue_key, stream_key
from keneya_local.console import Console
from keneya_local.errors import FunctionError
from keneya_local.schedules import Rate, Schedule, ScheduleError, parse

Invoke = Callable[[str, str, Any], Awaitable[Any]]

# An idle queue is long-polled this long per call: short enough for a prompt stop.
_IDLE_WAIT_S = 1
_STREAM_IDLE_PAUSE_S = 0.5
# With the moto process's arrivals, how long an idle poller sleeps without one: every arrival,
# and every message visible again, is announced; this is only a safety net.
_QUIET_RECHECK_S = 30.0
_MAX_RETRY_PAUSE_S = 30.0
_RESOLVE_RETRY_S = 5.0


class AwsClients:
    """boto3 clients for the pollers (thread-safe once created) and the pool they block on."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        config = Config(
            retries={"max_attempts": 2}, connect_timeout=5, read_timeout=30, max_pool_connections=64
        )
        self.region = region
        self.sqs = session.client("sqs", endpoint_url=endpoint_url, config=config)
        self.streams = session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config)
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="keneya-aws")

    async def call(self, function: Callable[..., Any], **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: function(**kwargs))

    def close(self) -> None:
        # Threads still in a long poll finish on their own within a second.
        self.pool.shutdown(wait=False, cancel_futures=True)


class _Poller:
    kind = ""

    def __init__(
        self,
        service: str,
        source: Mapping[str, Any],
        invoke: Invoke,
        aws: AwsClients,
        console: Console,
        arrivals: Arrivals | None = None,
        concurrency: int = 1,
    ) -> None:
        self.arrivals = arrivals
        self.concurrency = max(1, concurrency)
        self.service = service
        self.source = dict(source)
        self.handler = source["handler"]
        self.invoke = invoke
        self.aws = aws
        self.console = console
        self.invocations = 0
        self.failures = 0
        self.state = "starting"
        self._warned: set[str] = set()

    @property
    def name(self) -> str:
        return f"{self.service}.{self.handler}"

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.console.stack_line(message)

    def status(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "service": self.service,
            "handler": self.handler,
            "state": self.state,
            "invocations": self.invocations,
            "failures": self.failures,
            **{k: v for k, v in self.source.items() if k not in ("kind", "handler")},
        }

    async def _invoke(self, event: Mapping[str, Any]) -> tuple[bool, Any]:
        self.invocations += 1
        try:
            return True, await self.invoke(self.service, self.handler, event)
        except FunctionError as error:
            self.failures += 1
            return False, error
        except Exception as error:  # the worker is down: the records stay for a retry
            self.failures += 1
            return False, FunctionError(type(error).__name__, str(error))


# -- SQS --------------------------------------------------------------------------------------


class SqsPoller(_Poller):
    kind = "sqs"

    async def run(self) -> None:
        url, arn = await self._resolve_queue()
        self.state = "polling"
        self._in_flight: set[asyncio.Task] = set()
        self.peak_in_flight = 0
        free = asyncio.Semaphore(self.concurrency)
        batch_size = max(1, int(self.source.get("batch_size") or 10))
        window = float(self.source.get("window_seconds") or 0)
        key = queue_key(arn)
        try:
            while True:
                # As Lambda's poller: receive again while batches are being handled, up to
                # the function's concurrency, so that a burst is spread over sandboxes rather
                # than queued behind one batch.
                await free.acquire()
                seen = self.arrivals.seen(key) if self.arrivals else 0
                try:
                    messages = await self._receive(url, batch_size, window)
                except Exception as error:
                    free.release()
                    self.warn_once(
                        "receive", f"sqs {self.name}: cannot receive from {url}: {error}"
                    )
                    await asyncio.sleep(_RESOLVE_RETRY_S)
                    continue
                self._warned.discard("receive")
                if not messages:
                    free.release()
                    if self.arrivals is not None:
                        await self.arrivals.wait(key, seen, _QUIET_RECHECK_S)
                    continue
                task = asyncio.create_task(self._deliver_and_free(url, arn, messages, free))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                self.peak_in_flight = max(self.peak_in_flight, len(self._in_flight))
        finally:
            for task in self._in_flight:
                task.cancel()

    async def _deliver_and_free(
        self, url: str, arn: str, messages: list[dict[str, Any]], free: asyncio.Semaphore
    ) -> None:
        try:
            await self._deliver(url, arn, messages)
        finally:
            free.release()

    def status(self) -> dict[str, Any]:
        return {
            **super().status(),
            "concurrency": self.concurrency,
            "batches_in_flight": len(getattr(self, "_in_flight", ())),
            "peak_batches_in_flight": getattr(self, "peak_in_flight", 0),
        }

    async def _resolve_queue(self) -> tuple[str, str]:
        queue, queue_arn = self.source.get("queue"), self.source.get("queue_arn")
        while True:
            try:
                if queue_arn:
                    _, _, _, _, account, name = queue_arn.split(":", 5)
                    url = (
                        await self.aws.call(
                            self.aws.sqs.get_queue_url,
                            QueueName=name,
                            QueueOwnerAWSAccountId=account,
                        )
                    )["QueueUrl"]
                else:
                    url = (await self.aws.call(self.aws.sqs.get_queue_url, QueueName=queue))[
                        "QueueUrl"
                    ]
                attributes = await self.aws.call(
                    self.aws.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["QueueArn"]
                )
                return url, attributes["Attributes"]["QueueArn"]
            except Exception as error:
                self.state = "waiting for its queue"
                self.warn_once(
                    "resolve",
                    f"sqs {self.name}: queue {queue or queue_arn} not found ({error}); "
                    "retrying every few seconds",
                )
                await asyncio.sleep(_RESOLVE_RETRY_S)

    async def _receive(self, url: str, batch_size: int, window: float) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while len(batch) < batch_size:
            if batch:
                remaining = (deadline or 0) - loop.time()
                if window <= 0 or remaining <= 0:
                    break
                wait = min(20, max(1, round(remaining)))
            else:
                # With arrivals, an empty queue is waited for by `Arrivals.wait`, not by moto.
                wait = 0 if self.arrivals is not None else _IDLE_WAIT_S
            response = await self.aws.call(
                self.aws.sqs.receive_message,
                QueueUrl=url,
                MaxNumberOfMessages=min(10, batch_size - len(batch)),
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = response.get("Messages") or []
            if not received and not batch:
                return []
            if deadline is None:
                deadline = loop.time() + window
            batch.extend(received)
        return batch

    async def _deliver(self, url: str, arn: str, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(m, arn, self.aws.region) for m in messages]}
        ok, result = await self._invoke(event)
        ids = {m["MessageId"] for m in messages}
        if not ok:
            failed = ids
            self.console.stack_line(
                f"sqs {self.name}: {result.error_type}: {result.error_message}; the "
                f"{len(messages)} message(s) return after the visibility timeout"
            )
        else:
            failed = _failed_items(result, ids)
            if failed is None:
                failed = ids
                self.console.stack_line(
                    f"sqs {self.name}: batchItemFailures names a message not in the batch; "
                    "the whole batch counts as failed, as in Lambda"
                )
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
            ]
            try:
                await self.aws.call(
                    self.aws.sqs.delete_message_batch, QueueUrl=url, Entries=entries
                )
            except Exception as error:
                self.console.stack_line(f"sqs {self.name}: delete failed: {error}")


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's SQS event, from a ReceiveMessage result."""
    attributes = {key: value for key, value in (message.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        entry: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        message_attributes[name] = entry
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(message.get("Body", "").encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _failed_items(result: Any, known: set[str]) -> set[str] | None:
    """Identifiers a function reported as failed; None when the report is unusable (Lambda then
    fails the whole batch)."""
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    items = result.get("batchItemFailures") or []
    if not isinstance(items, list):
        return None
    failed = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in known:
            return None
        failed.add(identifier)
    return failed


# -- DynamoDB streams -------------------------------------------------------------------------


class StreamPoller(_Poller):
    kind = "dynamodb"

    async def run(self) -> None:
        stream_arn = self.source["stream_arn"]
        description = await self._describe(stream_arn)
        if description is None:
            return
        self.state = "polling"
        shards = [shard["ShardId"] for shard in description.get("Shards") or []]
        await asyncio.gather(*(self._read_shard(stream_arn, shard) for shard in shards))

    async def _describe(self, stream_arn: str) -> dict[str, Any] | None:
        while True:
            try:
                response = await self.aws.call(
                    self.aws.streams.describe_stream, StreamArn=stream_arn
                )
                return response["StreamDescription"]
            except Exception as error:
                code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
                if code in ("ResourceNotFoundException", "ValidationException"):
                    self.state = "no such stream"
                    self.console.stack_line(
                        f"dynamodb {self.name}: stream {stream_arn} does not exist; the "
                        "handler will not receive records (is TABLE_STREAM_ARN set?)"
                    )
                    return None
                self.warn_once("describe", f"dynamodb {self.name}: {error}; retrying")
                await asyncio.sleep(_RESOLVE_RETRY_S)

    async def _iterator(self, stream_arn: str, shard: str, **position: str) -> str:
        response = await self.aws.call(
            self.aws.streams.get_shard_iterator, StreamArn=stream_arn, ShardId=shard, **position
        )
        return response["ShardIterator"]

    async def _read_shard(self, stream_arn: str, shard: str) -> None:
        start = str(self.source.get("starting_position") or "LATEST").upper()
        # Where the current iterator reads from: an expired or lost one is asked for again there.
        position: dict[str, str] = {
            "ShardIteratorType": "TRIM_HORIZON" if start == "TRIM_HORIZON" else "LATEST"
        }
        iterator: str | None = await self._iterator(stream_arn, shard, **position)
        batch_size = max(1, min(1000, int(self.source.get("batch_size") or 100)))
        attempts = 0
        key = stream_key(stream_arn)
        while iterator:
            seen = self.arrivals.seen(key) if self.arrivals else 0
            try:
                response = await self.aws.call(
                    self.aws.streams.get_records, ShardIterator=iterator, Limit=batch_size
                )
            except Exception as error:
                self.warn_once("records", f"dynamodb {self.name}: cannot read: {error}")
                await asyncio.sleep(_RESOLVE_RETRY_S)
                # An iterator expires (after 15 minutes on AWS): read on with a new one.
                with contextlib.suppress(Exception):
                    iterator = await self._iterator(stream_arn, shard, **position)
                continue
            self._warned.discard("records")
            records = response.get("Records") or []
            if not records:
                iterator = response.get("NextShardIterator")
                if self.arrivals is None:
                    await asyncio.sleep(_STREAM_IDLE_PAUSE_S)
                else:
                    # Read again once the shard has grown since the read that found nothing.
                    await self.arrivals.wait(key, seen, _QUIET_RECHECK_S)
                continue
            event = {"Records": [stream_record(r, stream_arn, self.aws.region) for r in records]}
            ok, result = await self._invoke(event)
            sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
            retry_from: str | None = None
            if not ok:
                retry_from = sequence_numbers[0]
                why = f"{result.error_type}: {result.error_message}"
            else:
                failed = _failed_items(result, set(sequence_numbers))
                if failed is None:
                    retry_from, why = sequence_numbers[0], "unusable batchItemFailures"
                elif failed:
                    retry_from = min(failed, key=int)
                    why = f"{len(failed)} record(s) reported failed"
            if retry_from is None:
                attempts = 0
                iterator = response.get("NextShardIterator")
                position = {
                    "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                    "SequenceNumber": sequence_numbers[-1],
                }
                continue
            attempts += 1
            pause = min(_MAX_RETRY_PAUSE_S, 0.5 * 2 ** (attempts - 1))
            self.console.stack_line(
                f"dynamodb {self.name}: {why}; retrying from sequence number {retry_from} "
                f"in {pause:.1f} s (attempt {attempts + 1})"
            )
            await asyncio.sleep(pause)
            position = {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": retry_from}
            iterator = await self._iterator(stream_arn, shard, **position)


def stream_record(record: Mapping[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's DynamoDB stream event, from a GetRecords result."""
    dynamodb = dict(record.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in dynamodb:
            dynamodb[image] = _json_attribute_map(dynamodb[image])
    converted = {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if record.get("userIdentity"):
        converted["userIdentity"] = record["userIdentity"]
    return converted


def _json_attribute_map(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _json_attribute(value) for name, value in values.items()}


def _json_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """boto3 hands binary attributes over as bytes; Lambda's event carries them in base64."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": _json_attribute_map(inner)}
    if kind == "L":
        return {"L": [_json_attribute(item) for item in inner]}
    return {kind: inner}


# -- schedules --------------------------------------------------------------------------------


class ScheduleRunner(_Poller):
    kind = "schedule"

    def __init__(self, *args: Any, account_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_id = account_id
        self.expression = str(self.source["expression"])
        self.schedule: Schedule | None = None
        self.anchor = datetime.now(UTC)
        self.next_fire: datetime | None = None
        self.last_fire: datetime | None = None
        self.last_outcome: str | None = None
        try:
            self.schedule = parse(self.expression)
            self.next_fire = self._next(self.anchor)
        except ScheduleError as error:
            self.state = f"invalid: {error}"

    @property
    def rule_name(self) -> str:
        return f"keneya-local-{self.service}-{self.handler}"

    def _next(self, after: datetime) -> datetime:
        assert self.schedule is not None
        if isinstance(self.schedule, Rate):
            return self.schedule.next_after(after, self.anchor)
        return self.schedule.next_after(after)

    async def run(self) -> None:
        if self.schedule is None:
            self.console.stack_line(f"schedule {self.name}: {self.state}; never runs")
            return
        self.state = "scheduled"
        while True:
            assert self.next_fire is not None
            # Sleeps in slices so a changed wall clock (a laptop waking up) is noticed.
            while (delay := (self.next_fire - datetime.now(UTC)).total_seconds()) > 0:
                await asyncio.sleep(min(delay, 30.0))
            fire_time = self.next_fire
            self.next_fire = self._next(max(fire_time, datetime.now(UTC)))
            await self.fire(fire_time)

    async def fire(self, when: datetime | None = None) -> tuple[bool, Any]:
        """Invoke the handler with EventBridge's scheduled event, now or for `when`."""
        when = when or datetime.now(UTC)
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.aws.region,
            "resources": [
                f"arn:aws:events:{self.aws.region}:{self.account_id}:rule/{self.rule_name}"
            ],
            "detail": {},
        }
        self.last_fire = when
        ok, result = await self._invoke(event)
        self.last_outcome = "ok" if ok else f"{result.error_type}: {result.error_message}"
        if not ok:
            self.console.stack_line(f"schedule {self.name}: {self.last_outcome}")
        return ok, result

    def status(self) -> dict[str, Any]:
        return {
            **super().status(),
            "rule": self.rule_name,
            "next_fire": _iso(self.next_fire),
            "last_fire": _iso(self.last_fire),
            "last_outcome": self.last_outcome,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


# -- all of them ------------------------------------------------------------------------------


class EventSources:
    """Every event source of every service, started from what the workers describe."""

    def __init__(
        self,
        invoke: Invoke,
        aws: AwsClients,
        console: Console,
        account_id: str,
        arrivals: Arrivals | None = None,
        concurrency: int = 1,
    ) -> None:
        """`concurrency`: how many batches a function handles at once when its configuration
        sets no reserved concurrency (the sandboxes' default)."""
        self.arrivals = arrivals
        self.concurrency = concurrency
        self.invoke = invoke
        self.aws = aws
        self.console = console
        self.account_id = account_id
        self.pollers: list[_Poller] = []
        self._tasks: list[asyncio.Task] = []

    def add_service(self, service: str, description: Mapping[str, Any]) -> None:
        limits = description.get("concurrency") or {}
        for source in description.get("event_sources") or []:
            kind = source.get("kind")
            args = (service, source, self.invoke, self.aws, self.console)
            if kind == "sqs":
                concurrency = int(limits.get(source["handler"]) or self.concurrency)
                self.pollers.append(
                    SqsPoller(*args, arrivals=self.arrivals, concurrency=concurrency)
                )
            elif kind == "dynamodb":
                self.pollers.append(StreamPoller(*args, arrivals=self.arrivals))
            elif kind == "schedule":
                self.pollers.append(ScheduleRunner(*args, account_id=self.account_id))
            else:
                self.console.stack_line(
                    f"{service}.{source.get('handler')}: {kind} events are not delivered locally"
                )

    def start(self) -> None:
        for poller in self.pollers:
            task = asyncio.create_task(poller.run(), name=f"{poller.kind}-{poller.name}")
            task.add_done_callback(self._report_crash)
            self._tasks.append(task)

    def _report_crash(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.console.stack_line(f"{task.get_name()} stopped: {type(error).__name__}: {error}")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    def counts(self) -> dict[str, int]:
        counts = {"sqs": 0, "dynamodb": 0, "schedule": 0}
        for poller in self.pollers:
            counts[poller.kind] += 1
        return counts

    def schedules(self) -> list[ScheduleRunner]:
        return [p for p in self.pollers if isinstance(p, ScheduleRunner)]

    def find_schedule(self, service: str, handler: str) -> ScheduleRunner | None:
        for runner in self.schedules():
            if runner.service == service and runner.handler == handler:
                return runner
        return None

    def status(self) -> list[dict[str, Any]]:
        return [poller.status() for poller in self.pollers]
