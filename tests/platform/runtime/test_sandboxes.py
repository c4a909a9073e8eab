"""Each function runs in sandboxes as on Lambda: several invocations at once up to its
concurrency, one per sandbox at a time, warm ones reused, idle ones reclaimed, a crashed one
replaced with its batch delivered again and applied once."""

from __future__ import annotations

import asyncio
import json
import uuid
from itertools import combinations
from typing import Any

import pytest

from keneya_local.sandboxes import DEFAULT_CONCURRENCY
from keneya_local.stack import EmbeddedStack

from .journal import Journal, eventually

pytestmark = pytest.mark.slow


def _at_once(stack: EmbeddedStack, handler: str, count: int, seconds: float) -> list[dict]:
    async def all_of_them() -> list[Any]:
        return await asyncio.gather(
            *(stack.ainvoke("shop", handler, {"seconds": seconds}) for _ in range(count))
        )

    return asyncio.run(all_of_them())


def _overlap(a: dict, b: dict) -> bool:
    return a["started"] < b["ended"] and b["started"] < a["ended"]


def _function(stack: EmbeddedStack, handler: str) -> dict[str, Any]:
    return stack.status()["services"]["shop"]["functions"][handler]


def test_two_invocations_of_one_function_run_at_once_in_two_sandboxes(
    local_stack: EmbeddedStack,
):
    first, second = _at_once(local_stack, "slow", 2, seconds=0.6)

    assert _overlap(first, second)
    assert first["pid"] != second["pid"]
    assert _function(local_stack, "slow")["peak_running"] >= 2


def test_each_sandbox_serves_one_invocation_at_a_time_up_to_the_concurrency(
    local_stack: EmbeddedStack,
):
    # given the function's concurrency (the local default, none being configured), when more
    # invocations than that arrive at once
    limit = DEFAULT_CONCURRENCY
    results = _at_once(local_stack, "slow", limit + 3, seconds=0.4)

    # then at most that many sandboxes served them, never two at once in one sandbox
    pids = {r["pid"] for r in results}
    assert 2 <= len(pids) <= limit
    for a, b in combinations(results, 2):
        if a["pid"] == b["pid"]:
            assert not _overlap(a, b), (a, b)
    function = _function(local_stack, "slow")
    assert function["concurrency"] == DEFAULT_CONCURRENCY
    assert function["peak_running"] <= limit
    assert function["sandboxes"] <= limit


def test_a_reserved_concurrency_of_one_runs_invocations_one_after_the_other(
    local_stack: EmbeddedStack,
):
    first, second = _at_once(local_stack, "slow_alone", 2, seconds=0.3)

    assert first["pid"] == second["pid"]
    assert not _overlap(first, second)
    function = _function(local_stack, "slow_alone")
    assert function["concurrency"] == 1 and function["peak_running"] == 1


def test_warm_sandboxes_are_reused_and_idle_ones_reclaimed(local_stack: EmbeddedStack):
    # given a function that has run once (one cold start)
    (first,) = _at_once(local_stack, "slow", 1, seconds=0)
    before = _function(local_stack, "slow")

    # when it runs again, one at a time
    again = [_at_once(local_stack, "slow", 1, seconds=0)[0] for _ in range(3)]

    # then a warm sandbox serves: no new cold start
    after = _function(local_stack, "slow")
    assert {r["pid"] for r in again} <= set(after["pids"])
    assert after["cold_starts"] == before["cold_starts"]
    assert after["warm_invocations"] >= before["warm_invocations"] + 3

    # when its sandboxes have been idle past the limit, they are stopped
    pool = local_stack.workers["shop"].functions["slow"]
    stopped = asyncio.run_coroutine_threadsafe(pool.reclaim_idle(0.0), local_stack._loop).result(
        timeout=10
    )
    assert stopped >= 1
    assert _function(local_stack, "slow")["sandboxes"] == 0

    # and the next invocation starts a new one (a cold start)
    (fresh,) = _at_once(local_stack, "slow", 1, seconds=0)
    assert fresh["pid"] != first["pid"]
    assert _function(local_stack, "slow")["cold_starts"] == after["cold_starts"] + 1


def test_a_sandbox_killed_mid_batch_has_its_batch_delivered_again_and_applied_once(
    local_stack: EmbeddedStack, journal: Journal, aws: Any, names: dict[str, str]
):
    sqs = aws("sqs")
    queue = sqs.get_queue_url(QueueName=names["orders_queue"])["QueueUrl"]
    before, crashing, after = (uuid.uuid4().hex[:10] for _ in range(3))

    # given one batch whose second order kills the sandbox that handles it
    sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "before", "MessageBody": json.dumps({"id": before})},
            {"Id": "crashing", "MessageBody": json.dumps({"id": crashing, "crash_once": True})},
            {"Id": "after", "MessageBody": json.dumps({"id": after})},
        ],
    )

    # then every order is applied exactly once, the crashed one by a new sandbox
    for order in (before, crashing, after):
        journal.wait_for("applied", order=order, timeout=20)
    (crash,) = journal.entries("crash", order=crashing)
    (applied,) = journal.entries("applied", order=crashing)
    assert applied["pid"] != crash["pid"]
    receives = {e["receive_count"] for e in journal.entries("sqs", order=crashing)}
    assert receives == {"1", "2"}
    for order in (before, after):
        assert len(journal.entries("applied", order=order)) == 1


def test_a_queue_with_a_backlog_is_consumed_by_several_batches_at_once(
    local_stack: EmbeddedStack, journal: Journal, aws: Any, names: dict[str, str]
):
    sqs = aws("sqs")
    queue = sqs.get_queue_url(QueueName=names["orders_queue"])["QueueUrl"]
    orders = [uuid.uuid4().hex[:10] for _ in range(20)]

    # given 20 orders waiting, each taking a while (batches of 5)
    for start in range(0, 20, 10):
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[
                {"Id": str(n), "MessageBody": json.dumps({"id": order, "linger": 0.1})}
                for n, order in enumerate(orders[start : start + 10])
            ],
        )

    # then they are all applied, by more than one sandbox at a time
    eventually(lambda: all(journal.entries("applied", order=o) for o in orders), timeout=30)
    poller = next(
        p
        for p in local_stack.status()["event_sources"]
        if p["service"] == "shop" and p["handler"] == "consume_orders"
    )
    assert poller["peak_batches_in_flight"] >= 2
    assert _function(local_stack, "consume_orders")["peak_running"] >= 2
    assert len({e["pid"] for o in orders for e in journal.entries("applied", order=o)}) >= 2
