"""No accepted bet or withdrawal breaks a limit in force at that moment (property).

Hypothesis draws a player's session: loss and wager limits set, lowered, raised
and removed (a raise waits 24 h), hours passing, bets, settlements (WIN, LOSS,
VOID) and withdrawals. The test keeps its own account of what happened and of
which limit binds when (the rule as docs/compliance.md states it), and checks
every accepted bet and withdrawal against it: settled net loss or stakes of the
period, plus every open stake, plus this one, within each limit in force; the
day's withdrawals within the KYC tier's limit. Each example plays a new player
on the module's ledger, with time only moving forward.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.cashier.withdrawals.commands import RequestWithdrawal
from domain.compliance.commands import SetRgLimit
from domain.compliance.refusals import BetBlocked, LimitRefused
from domain.kernel.clock import clock
from tests.conftest import BACKENDS
from tests.factories import credit, module_ledger, place_bet, settle_bet

D = Decimal
COOLING = timedelta(hours=24)
CONFIG = """
[compliance.kyc.none]
withdrawal = { USDT = "100" }
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 2
"""
START = datetime(2028, 1, 3, 12, 0, tzinfo=timezone.utc)
EXAMPLES = itertools.count()
KEYS = [(k, p) for k in ("loss", "wager") for p in ("day", "week")]

limit_step = st.tuples(st.just("limit"), st.sampled_from(KEYS),
                       st.integers(10, 80).map(D))
bet_step = st.tuples(st.just("bet"), st.integers(5, 40).map(D))
steps = st.lists(st.one_of(
    limit_step, limit_step, bet_step, bet_step, bet_step,
    st.tuples(st.just("limit"), st.sampled_from(KEYS), st.none()),
    st.tuples(st.just("wait"), st.sampled_from([1, 6, 23, 24, 25, 47])),
    st.tuples(st.just("settle"), st.sampled_from(["WIN", "LOSS", "LOSS", "VOID"]),
              st.integers(1, 80).map(D)),
    st.tuples(st.just("withdraw"), st.integers(5, 60).map(D)),
), min_size=8, max_size=30)


@pytest.fixture(scope="module", params=BACKENDS)
def services(request, tmp_path_factory):
    yield from module_ledger(request, tmp_path_factory, CONFIG, START)


class Limits:
    """Which limit binds when: a request tightening the one in force binds at
    once; one loosening it binds after the cooling-off, unless a later request
    replaces it first."""

    def __init__(self) -> None:
        self.requests: list[list] = []  # [key, amount, effective, replaced]

    def in_force(self, key: tuple[str, str], at: datetime) -> Decimal | None:
        found, since = None, None
        for k, amount, effective, replaced in self.requests:
            if k == key and effective <= at and (replaced is None or replaced > effective):
                if since is None or effective >= since:
                    found, since = amount, effective
        return found

    def request(self, key: tuple[str, str], amount: Decimal | None, at: datetime) -> None:
        current = self.in_force(key, at)
        waiting = [r for r in self.requests if r[0] == key and r[2] > at and r[3] is None]
        if waiting and waiting[-1][1] == amount or not waiting and amount == current:
            return  # the same again: nothing changes
        for r in waiting:
            r[3] = at
        tighter = amount is not None and (current is None or amount <= current) or (
            amount is None and current is None)
        self.requests.append([key, amount, at if tighter else at + COOLING, None])


def same(period: str, a: datetime, b: datetime) -> bool:
    if period == "day":
        return a.date() == b.date()
    return a.isocalendar()[:2] == b.isocalendar()[:2]


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(session=steps)
def test_no_accepted_bet_or_withdrawal_breaks_a_limit_in_force(services, session):
    player = f"prop-{next(EXAMPLES)}"
    clock.freeze(clock.now() + timedelta(weeks=3))
    credit(services, player, "USDT", "100000")
    limits, open_bets, settled, withdrawn = Limits(), [], [], []
    for step in session:
        now = clock.now()
        if step[0] == "limit":
            (kind, period), amount = step[1], step[2]
            services.ledger.execute(SetRgLimit(player, "player:p", kind, period, "USDT",
                                               amount))
            limits.request((kind, period), amount, now)
        elif step[0] == "wait":
            clock.advance(timedelta(hours=step[1]))
        elif step[0] == "bet":
            try:
                bet_id = place_bet(services, player, str(step[1])).result.bet_id
            except BetBlocked:
                continue
            open_bets.append((bet_id, step[1]))
            check_bet(limits, open_bets, settled, now)
        elif step[0] == "settle" and open_bets:
            bet_id, stake = open_bets.pop(0)
            payout = step[2] if step[1] == "WIN" else D(0)
            settle_bet(services, bet_id, step[1], str(payout))
            if step[1] != "VOID":
                settled.append((now, stake, stake - payout))
        elif step[0] == "withdraw":
            try:
                services.ledger.execute(RequestWithdrawal(
                    f"w-{len(withdrawn)}-{now.timestamp()}", player, "USDT", step[1],
                    "0x" + "ab" * 20, 0, player))
            except LimitRefused:
                continue
            withdrawn.append((now, step[1]))
            assert sum(a for t, a in withdrawn if t.date() == now.date()) <= 100


def check_bet(limits: Limits, open_bets: list, settled: list, now: datetime) -> None:
    """The accepted bet (last of `open_bets`) keeps every limit in force now."""
    exposure = sum(stake for _, stake in open_bets)
    for kind, period in KEYS:
        limit = limits.in_force((kind, period), now)
        if limit is None:
            continue
        column = 2 if kind == "loss" else 1
        done = sum(row[column] for row in settled if same(period, row[0], now))
        assert done + exposure <= limit, (kind, period, done, exposure, limit)
