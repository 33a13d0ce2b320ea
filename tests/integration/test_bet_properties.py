"""Random interleavings of bets keep the books right, on SQLite and PostgreSQL.

Each example starts a fresh ledger, funds two of three players in two currencies,
then draws places, settlements (including repeats and conflicting ones), refunds,
rollbacks, adjustments that may spend winnings, retries of earlier requests and
reuses of their requestIds with another payload. Each step must succeed or be
refused as the bet's state says, and a refusal appends nothing. After each step:

- no wallet pocket is negative, and each pocket's ledger entries sum to it;
- the trial balance is zero, and house GGR is what the settled bets say
  (stake minus payout of every bet settled WIN or LOSS);
- every bet's hold was opened once more than it was closed while it is OPEN
  (HOLD / SETTLE_REVERSAL against SETTLE_DEBIT / HOLD_RELEASE entries), and
  as often as closed otherwise; the wallet holds exactly its OPEN bets' stakes;
- each bet's ledger entries net, pocket by pocket, to what its state moved
  (a win pays the bonus share of its payout, rounded down, as bonus);
- today's net loss of each player is the net loss of their settled bets.

At the end, rebuilding every projection gives the live views back.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.wallet.commands import Adjust
from domain.betting.commands import BetOutcome, PlaceBet, RefundBet, RollbackBet, SettleRound
from domain.kernel.errors import Conflict, DomainError, InsufficientFunds
from domain.players.model import BetRejected
from domain.kernel.postings import POCKETS
from tests.factories import (
    add_game,
    aggregate_pockets,
    all_entries,
    backend_url,
    bet_command,
    bet_of,
    dumps,
    fresh_services,
    player_of,
    pocket_sums,
    refund_command,
    rollback_command,
    view_pockets,
)

D = Decimal
PLAYERS = ("p1", "p2", "p3")
CURRENCIES = ("BTC", "USDT")
CENT = D("0.01")
QUANTUM = {"BTC": D("1E-8"), "USDT": D("1E-6")}
OPENS, CLOSES = ("HOLD", "SETTLE_REVERSAL"), ("SETTLE_DEBIT", "HOLD_RELEASE")
# In both currencies p1 starts with 30 cash and 70 bonus (its bets mix the two, cash
# first), p2 with 100 bonus alone, p3 with nothing.
FUNDING = [Adjust(f"fund-{p}-{c}-{b}", p, c, D(a), b, "test funds", "finance-1")
           for c in CURRENCIES
           for p, b, a in (("p1", "cash", 30), ("p1", "bonus", 70), ("p2", "bonus", 100))]


# What hypothesis draws.

players = st.sampled_from(PLAYERS)
currencies = st.sampled_from(CURRENCIES)
cents = st.integers(1, 2500).map(lambda n: D(n) * CENT)
which = st.integers(0, 30)
steps = st.one_of(
    *[st.tuples(st.just("place"), players, currencies, cents)] * 3,
    *[st.tuples(st.just("settle"), which, st.sampled_from(["WIN", "LOSS", "PUSH", "VOID"]),
                cents, st.booleans())] * 3,
    st.tuples(st.just("refund"), which),
    st.tuples(st.just("rollback"), which),
    st.tuples(st.just("adjust"), players, currencies, st.sampled_from(["cash", "bonus"]),
              cents, st.booleans()),
    st.tuples(st.just("retry"), which),
    st.tuples(st.just("reuse"), which),
)


class Run:
    """One example: the ledger, the bets placed, and the commands that succeeded."""

    def __init__(self, services: Any):
        self.services = services
        self.bets: list[str] = []
        self.done: list[tuple[Any, dict[str, Any]]] = []
        self.n = 0

    def rid(self, kind: str) -> str:
        self.n += 1
        return f"{kind}-{self.n}"

    def pick(self, index: int, prefer: str) -> str:
        """A bet by index: two times in three one in the `prefer` status, if any."""
        bets = self.bets
        if index % 3:
            bets = [b for b in bets if bet_of(self.services, b).status == prefer] or bets
        return bets[index % len(bets)]

    def wallet(self, player: str, currency: str):
        return self.services.ledger.wallet(player, currency)


# Building each step's command, and what the bet's state says must happen.

def place_step(run: Run, player: str, currency: str, stake: Decimal):
    wallet = run.wallet(player, currency)
    free = D(0) if wallet is None else wallet.available + wallet.bonus_available
    command = bet_command(player, str(stake), currency, request_id=run.rid("bet"))
    return command, (None if stake <= free else BetRejected)


def settle_step(run: Run, index: int, outcome: str, amount: Decimal, full: bool):
    bet = bet_of(run.services, run.pick(index, "OPEN"))
    payout = amount if outcome == "WIN" else bet.stake if (outcome == "PUSH" and full) else D(0)
    command = SettleRound(run.rid("settle"), bet.provider, bet.round_id,
                          (BetOutcome(bet.hold_id, outcome, payout),))
    recorded = payout if outcome == "WIN" else D(0)
    if bet.status == "OPEN" or bet.settled_as(outcome, recorded):
        return command, None
    return command, Conflict


def refund_step(run: Run, index: int):
    bet = bet_of(run.services, run.pick(index, "SETTLED"))
    command = refund_command(bet.hold_id, request_id=run.rid("refund"))
    fine = bet.status in ("OPEN", "REFUNDED") or (bet.status, bet.outcome) == (
        "SETTLED", "LOSS")
    return command, (None if fine else Conflict)


def rollback_step(run: Run, index: int):
    bet = bet_of(run.services, run.pick(index, "SETTLED"))
    command = rollback_command(bet.hold_id, request_id=run.rid("rollback"))
    if bet.status == "OPEN":
        return command, None
    if bet.status != "SETTLED":
        return command, Conflict
    wallet = run.wallet(bet.player_id, bet.currency)
    if bet.cash_payout > wallet.available or bet.bonus_payout > wallet.bonus_available:
        return command, Conflict                       # the payout was spent
    if bet.outcome in ("PUSH", "VOID") and (bet.cash_part > wallet.available or
                                            bet.bonus_part > wallet.bonus_available):
        # The released stake was spent. test_bets pins the error class (a conflict).
        return command, (Conflict, InsufficientFunds)
    return command, None


def adjust_step(run: Run, player: str, currency: str, balance: str, amount: Decimal,
                spend: bool):
    wallet = run.wallet(player, currency)
    free = D(0) if wallet is None else (
        wallet.available if balance == "cash" else wallet.bonus_available)
    if spend and free > 0:
        amount = min(amount, free)         # a debit that mostly fits: spends winnings
    signed = -amount if spend else amount
    command = Adjust(run.rid("adjust"), player, currency, signed, balance, "prop", "fin")
    return command, (InsufficientFunds if spend and amount > free else None)


BUILDERS = {"place": place_step, "settle": settle_step, "refund": refund_step,
            "rollback": rollback_step, "adjust": adjust_step}


def execute(run: Run, command: Any, expected: Any) -> None:
    head = run.services.ledger.head()
    try:
        outcome = run.services.ledger.execute(command)
    except DomainError as error:
        event(f"{type(command).__name__}: {type(error).__name__}")
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert expected is not None and isinstance(error, allowed), (command, error)
        assert run.services.ledger.head() == head, "a refused command appended events"
        return
    event(f"{type(command).__name__}: ok")
    assert expected is None, (command, "should have been refused with", expected)
    if outcome.replayed:  # it changed nothing (settled or refunded again): no record
        assert run.services.ledger.head() == head
        return
    assert run.services.ledger.head() > head
    run.done.append((command, outcome.result))
    if isinstance(command, PlaceBet):
        run.bets.append(outcome.result.bet_id)


def replay_step(run: Run, kind: str, index: int) -> None:
    """An earlier request again: as it was (replayed), or changed (a conflict)."""
    if not run.done:
        return
    command, first = run.done[index % len(run.done)]
    head = run.services.ledger.head()
    if kind == "retry":
        again = run.services.ledger.execute(command)
        assert again.replayed and again.result == first
    else:
        with pytest.raises(Conflict):
            run.services.ledger.execute(changed(command))
    assert run.services.ledger.head() == head


def changed(command: Any) -> Any:
    """The same requestId with another payload."""
    if isinstance(command, PlaceBet):
        return dataclasses.replace(command, stake=command.stake + CENT)
    if isinstance(command, Adjust):
        return dataclasses.replace(command, amount=command.amount + CENT)
    if isinstance(command, SettleRound):
        return dataclasses.replace(command, round_id=command.round_id + "-other")
    if isinstance(command, RefundBet):
        return dataclasses.replace(command, reason=command.reason + " (again)")
    assert isinstance(command, RollbackBet)
    return dataclasses.replace(command, bet_id=command.bet_id + "-other")


# The checks after each step.

def check_books(run: Run, today) -> None:
    services = run.services
    services.projections.catch_up()
    bets = [bet_of(services, b) for b in run.bets]
    for player in PLAYERS:
        entries = all_entries(services, player)
        for currency in CURRENCIES:
            wallet = run.wallet(player, currency)
            pockets = aggregate_pockets(wallet)
            assert all(v >= 0 for v in pockets.values()), (player, currency, pockets)
            assert pocket_sums(services, player, currency) == pockets
            assert view_pockets(services, player, currency) == pockets
            mine = [b for b in bets if (b.player_id, b.currency) == (player, currency)]
            check_bets(wallet, mine, [e for e in entries if e["currency"] == currency])
            check_day_loss(services, player, currency, mine, today)
    assert all(total == 0 for total in services.journal.trial_balance().values())
    balances = services.journal.account_balances()
    for currency in CURRENCIES:
        assert balances.get((currency, "house:ggr"), D(0)) == sum(
            (b.stake - b.payout for b in bets if b.currency == currency
             and b.status == "SETTLED" and b.outcome in ("WIN", "LOSS")), D(0))


def check_bets(wallet, bets, entries) -> None:
    """Each bet's hold is open iff the bet is OPEN, was closed once per opening, and
    the bet's entries net, pocket by pocket, to what its state says it moved."""
    holds = {} if wallet is None else wallet.holds
    assert set(holds) == {b.hold_id for b in bets if b.status == "OPEN"}
    for bet in bets:
        own = [e for e in entries if e["reference"] == bet.hold_id]
        moves = Counter(kind for _, kind in {  # one per event: its legs share a position
            (e["position"], e["type"]) for e in own if e["type"] in OPENS + CLOSES})
        opened = sum(moves[t] for t in OPENS)
        closed = sum(moves[t] for t in CLOSES)
        assert opened - closed == (1 if bet.status == "OPEN" else 0), (bet.status, moves)
        if bet.status == "OPEN":
            assert (holds[bet.hold_id]["cash"], holds[bet.hold_id]["bonus"]) == (
                bet.cash_part, bet.bonus_part)
        net = dict.fromkeys(POCKETS, D(0))
        for entry in own:
            net[entry["pocket"]] += entry["amount"]
        assert net == moved_by(bet), (bet.status, bet.outcome, net)


def moved_by(bet) -> dict[str, Decimal]:
    """What a bet in its state has moved between the player's pockets, net."""
    cash, bonus, zero = bet.cash_part, bet.bonus_part, D(0)
    if bet.status == "OPEN":
        return {"available": -cash, "locked": cash, "bonus": -bonus, "bonus_locked": bonus}
    if bet.status == "SETTLED" and bet.outcome in ("WIN", "LOSS"):
        if bet.outcome == "WIN":  # the bonus share of the payout is the stake's, rounded down
            assert bet.cash_payout + bet.bonus_payout == bet.payout
            assert bet.bonus_payout == (bet.payout * bonus / bet.stake).quantize(
                QUANTUM[bet.currency], rounding=ROUND_DOWN)
        return {"available": bet.cash_payout - cash, "locked": zero,
                "bonus": bet.bonus_payout - bonus, "bonus_locked": zero}
    return dict.fromkeys(POCKETS, zero)  # pushed, voided, refunded or cancelled


def check_day_loss(services, player, currency, bets, today) -> None:
    counted = [b for b in bets if b.status == "SETTLED" and b.outcome != "VOID"]
    record = player_of(services, player)
    loss = record.net_loss_on(today, currency) if record else D(0)
    assert loss == sum((b.net_loss for b in counted), D(0))


@pytest.fixture
def new_ledger(backend, request, tmp_path_factory):
    """Builds a fresh, empty ledger with one game, per hypothesis example."""
    def build():
        services = fresh_services(backend_url(backend, request, tmp_path_factory))
        add_game(services)
        return services
    return build


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=st.lists(steps, min_size=6, max_size=16))
def test_random_bets_keep_the_books_and_the_holds_right(new_ledger, frozen_clock, drawn):
    today = frozen_clock.now().date()
    run = Run(new_ledger())
    try:
        for command in FUNDING:
            run.services.ledger.execute(command)
        for kind, *args in drawn:
            if kind in ("retry", "reuse"):
                replay_step(run, kind, *args)
            else:
                if kind in ("settle", "refund", "rollback") and not run.bets:
                    first = args[0] % 2          # nothing to act on yet: place a bet first
                    execute(run, *place_step(run, PLAYERS[first], CURRENCIES[first], D(1)))
                execute(run, *BUILDERS[kind](run, *args))
            check_books(run, today)
        live = dumps(run.services)
        for name in run.services.projections.views:
            run.services.projections.rebuild(name)
        assert dumps(run.services) == live
    finally:
        run.services.close()
