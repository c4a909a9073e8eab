"""The ledger's rules: every transaction balances, commission, a doctor's earnings per period."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.ledger import (
    Entry,
    LedgerTransaction,
    PostedEntry,
    Unbalanced,
    commission_of,
    earnings_by_period,
    payment_transaction,
    refund_transaction,
)

AT = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def test_a_payment_splits_the_fee_between_doctor_and_platform_and_balances():
    # given a fee of 5 000 XOF and a 10 % commission
    # when the payment is recorded
    txn = payment_transaction(
        payment_id="pay_1",
        provider="orange_money",
        doctor_id="doc",
        amount_xof=5000,
        commission_percent=10,
        posted_at=AT,
    )
    # then the provider holds the fee, the doctor earns 4 500 and the platform 500
    amounts = {e.account: e.amount_xof for e in txn.entries}
    assert amounts == {
        "provider:orange_money": 5000,
        "doctor:doc": -4500,
        "platform:commission": -500,
    }
    assert sum(e.amount_xof for e in txn.entries) == 0


def test_commission_rounds_down_to_the_franc_so_the_doctor_never_loses_to_rounding():
    assert commission_of(3333, 10) == 333
    assert commission_of(999, 15) == 149
    with pytest.raises(ValueError):
        commission_of(1000, 101)


def test_a_refund_reverses_the_split_and_pays_the_payer_back_balanced():
    refund = refund_transaction(
        payment_id="pay_1",
        provider="moov_money",
        doctor_id="doc",
        payer_id="pat",
        amount_xof=7001,
        commission_percent=10,
        posted_at=AT,
    )
    payment = payment_transaction(
        payment_id="pay_1",
        provider="moov_money",
        doctor_id="doc",
        amount_xof=7001,
        commission_percent=10,
        posted_at=AT,
    )
    assert sum(e.amount_xof for e in refund.entries) == 0
    per_account: dict[str, int] = {}
    for entry in payment.entries + refund.entries:
        per_account[entry.account] = per_account.get(entry.account, 0) + entry.amount_xof
    # after payment and refund every account is back to zero
    assert set(per_account.values()) == {0}


def test_an_unbalanced_transaction_cannot_be_built():
    with pytest.raises(Unbalanced):
        LedgerTransaction("t", "payment", "p", AT, (Entry("a", 10), Entry("b", -9)))


def test_earnings_are_totalled_per_month_in_bamako_newest_first():
    entries = [
        PostedEntry("doctor:d", -4500, "payment", datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),
        PostedEntry("doctor:d", -4500, "payment", datetime(2026, 11, 1, 0, 30, tzinfo=UTC)),
        PostedEntry("doctor:d", -9000, "payment", datetime(2026, 11, 15, 9, 0, tzinfo=UTC)),
        PostedEntry("doctor:d", 4500, "refund", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
    ]
    totals = earnings_by_period(entries)
    assert [(t.period, t.earned_xof, t.refunded_xof, t.net_xof, t.payments) for t in totals] == [
        ("2026-11", 13500, 4500, 9000, 2),
        ("2026-10", 4500, 0, 4500, 1),
    ]
