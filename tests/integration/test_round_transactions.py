"""Rounds sent transaction by transaction (Hub88): duplicates racing, a rollback
racing its bet, and random Hub88 and v1 traffic keeping the books.

Commands run through the ledger as the Hub88 adapter issues them
(api/http/providers/hub88/routes.py); tests/e2e/test_hub88_wallet.py plays
the same over HTTP.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.betting.commands import BetOutcome, PlaceBet, SettleRound
from domain.kernel.clock import clock
from domain.betting.model import CANCELLED, Bet, bet_key
from domain.betting.rounds import Tombstone
from domain.betting.transactions import BetInRound, RollbackTransaction, WinInRound
from domain.kernel.errors import DomainError
from domain.players.model import BetRejected
from domain.wallet.model import Wallet, wallet_id
from tests.factories import (
    GAME,
    add_game,
    backend_url,
    caught_up,
    credit,
    dumps,
    fresh_services,
    in_threads,
    player_of,
    set_vip_level,
)

D = Decimal
HUB88, V1 = "hub88", "provider-1"
PLAYER, CURRENCY = "p1", "USDT"


def hub88_bet(transaction: str, stake: str = "1", round_id: str = "r-1",
              player: str = PLAYER, close: bool = False) -> BetInRound:
    return BetInRound(request_id=transaction, provider=HUB88, player_id=player,
                      round_id=round_id, currency=CURRENCY, game_id=GAME,
                      stake=D(stake), close=close)


def hub88_win(transaction: str, bet: str, amount: str, round_id: str = "r-1",
              player: str = PLAYER, close: bool = True, free: bool = False) -> WinInRound:
    return WinInRound(request_id=transaction, provider=HUB88, player_id=player,
                      round_id=round_id, currency=CURRENCY, game_id=GAME, amount=D(amount),
                      bet_transaction=bet, free=free, close=close)


def hub88_rollback(transaction: str, target: str, player: str = PLAYER,
                   ) -> RollbackTransaction:
    return RollbackTransaction(request_id=transaction, provider=HUB88, player_id=player,
                               round_id="r-1", currency=CURRENCY, transaction=target)


def held(services) -> list:
    events = services.ledger.events.get(wallet_id(PLAYER, CURRENCY))
    return [e for e in events if isinstance(e, Wallet.Held)]


@pytest.fixture(params=[0, 100], ids=["one-per-transaction", "group-commit"])
def ledgers(request, backend, tmp_path_factory):
    """Two ledgers on one database (two processes) on PostgreSQL, one on SQLite;
    p1 holds 10 USDT."""
    url = backend_url(backend, request, tmp_path_factory)
    count = 2 if backend == "postgres" else 1
    built = [fresh_services(url, group_commit=request.param) for _ in range(count)]
    add_game(built[0])
    credit(built[0], PLAYER, CURRENCY, "10")
    yield built
    for services in built:
        services.close()


def test_concurrent_deliveries_of_one_bet_debit_once(ledgers):
    results = in_threads([(services, [hub88_bet("t-1", "3")] * 4) for services in ledgers]
                         + [(ledgers[0], [hub88_bet("t-1", "3")] * 4)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert {r.result for r in results} == {results[0].result}
    services = ledgers[0]
    assert len(held(services)) == 1
    wallet = services.ledger.wallet(PLAYER, CURRENCY)
    assert (wallet.cash, wallet.locked, wallet.available) == (D(10), D(3), D(7))


def test_a_rollback_racing_its_bet_never_leaves_the_bet_standing(ledgers):
    last = ledgers[-1]
    for attempt in range(5):
        bet, rollback = hub88_bet(f"t-{attempt}"), hub88_rollback(f"rb-{attempt}", f"t-{attempt}")
        results = in_threads([(ledgers[0], [bet]), (last, [rollback])])
        assert not isinstance(results[1], Exception), results[1]
        stored = ledgers[0].ledger.repository.get(bet_key(HUB88, f"t-{attempt}"))
        if isinstance(results[0], BetRejected):  # the rollback came first
            assert results[0].reason == "ROLLED_BACK" and isinstance(stored, Tombstone)
            assert results[1].result.found is False
        else:
            assert not isinstance(results[0], Exception), repr(results[0])
            assert isinstance(stored, Bet) and stored.status == CANCELLED
            assert results[1].result.found is True
    wallet = ledgers[0].ledger.wallet(PLAYER, CURRENCY)
    assert (wallet.cash, wallet.locked) == (D(10), D(0))


# The same play through either protocol counts the same.

def figures_of(services, player: str) -> dict:
    """What a player's play moved, without ids, positions or times."""
    caught_up(services)
    views = {}
    for view in ("balances", "rakeback", "cashback_tallies", "bets"):
        _, tables = services.projections.views[view].snapshot()
        views[view] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k in KEPT))
            for rows in tables.values() for row in rows if row.get("player_id") == player)
    record = player_of(services, player)
    views["player"] = (record.level, record.xp,
                       record.net_loss_on(clock.now().date(), CURRENCY))
    return views


KEPT = {"currency", "cash", "bonus", "locked", "bonus_locked", "available", "stake",
        "cash_part", "bonus_part", "status", "outcome", "payout", "rtp", "category",
        "game_provider", "game_id", "instant", "daily", "weekly", "monthly",
        "daily_accumulated", "weekly_accumulated", "monthly_accumulated",
        "instant_claimable", "bets", "wins", "wagered", "won", "net_loss", "period"}


def test_a_hub88_round_counts_exactly_as_the_same_v1_round(services, frozen_clock):
    """Limits, funding policy, VIP XP, rakeback, cashback tallies and the bets
    view see a Hub88 bet and win as they see a v1 bet and settlement."""
    add_game(services)
    for player in ("v1-player", "hub-player"):
        credit(services, player, CURRENCY, "100")
        credit(services, player, CURRENCY, "20", balance="bonus")
        set_vip_level(services, player, "Gold")
    execute = services.ledger.execute
    for n, (stake, payout) in enumerate((("30", "45"), ("10", "0"), ("5", "12.5"))):
        placed = execute(PlaceBet(f"v1-{n}", V1, "v1-player", GAME, f"r-{n}", CURRENCY,
                                  D(stake))).result
        execute(SettleRound(f"settle-{n}", V1, f"r-{n}", (BetOutcome(
            placed.bet_id, "WIN" if D(payout) else "LOSS", D(payout)),)))
        execute(hub88_bet(f"t-{n}", stake, f"r-{n}", "hub-player"))
        execute(hub88_win(f"w-{n}", f"t-{n}", payout, f"r-{n}", "hub-player"))
    v1, hub = figures_of(services, "v1-player"), figures_of(services, "hub-player")
    assert v1 == hub
    assert v1["player"][1] > 0 and v1["rakeback"] and v1["cashback_tallies"]


# Random Hub88 and v1 traffic.

PLAYERS = ("p1", "p2")
AMOUNTS = st.sampled_from(["0", "0.5", "1", "2.25", "7"])
steps = st.one_of(
    st.tuples(st.just("bet"), st.integers(0, 1), st.integers(0, 3), AMOUNTS, st.booleans()),
    st.tuples(st.just("win"), st.integers(0, 1), st.integers(0, 3), st.integers(0, 9),
              AMOUNTS, st.booleans(), st.booleans()),
    st.tuples(st.just("rollback"), st.integers(0, 1), st.integers(0, 9)),
    st.tuples(st.just("v1-bet"), st.integers(0, 1), AMOUNTS),
    st.tuples(st.just("v1-settle"), st.integers(0, 9), st.sampled_from(["WIN", "LOSS"]),
              AMOUNTS),
    st.tuples(st.just("repeat"), st.integers(0, 30)),
)


class Traffic:
    def __init__(self, services):
        self.services = services
        self.sent: list = []
        self.v1_bets: list[str] = []

    def transaction(self) -> str:
        return f"tx-{len(self.sent)}"

    def build(self, kind: str, *args):
        if kind == "bet":
            player, round_no, stake, close = args
            return hub88_bet(self.transaction(), stake, f"r-{round_no}", PLAYERS[player],
                             close)
        if kind == "win":
            player, round_no, target, amount, close, free = args
            return hub88_win(self.transaction(), f"tx-{target}", amount, f"r-{round_no}",
                             PLAYERS[player], close, free)
        if kind == "rollback":
            player, target = args
            return hub88_rollback(self.transaction(), f"tx-{target}", PLAYERS[player])
        if kind == "v1-bet":
            player, stake = args
            return PlaceBet(f"v1-{len(self.sent)}", V1, PLAYERS[player], GAME,
                            f"v1-round-{len(self.sent)}", CURRENCY, D(stake))
        if kind == "v1-settle" and self.v1_bets:
            index, outcome, payout = args
            bet_id = self.v1_bets[index % len(self.v1_bets)]
            bet = self.services.ledger.repository.get(bet_key(V1, bet_id))
            payout = payout if outcome == "WIN" and D(payout) > 0 else "0"
            return SettleRound(f"settle-{len(self.sent)}", V1, bet.round_id,
                               (BetOutcome(str(bet.id), outcome if payout != "0" else "LOSS",
                                           D(payout)),))
        if kind == "repeat" and self.sent:
            return self.sent[args[0] % len(self.sent)]
        return None

    def send(self, command) -> None:
        try:
            self.services.ledger.execute(command)
        except DomainError:
            pass  # refused: nothing appended (the books are checked below)
        else:
            if isinstance(command, PlaceBet):
                self.v1_bets.append(command.request_id)
        self.sent.append(command)


@pytest.fixture
def new_ledger(backend, request, tmp_path_factory):
    def build():
        services = fresh_services(backend_url(backend, request, tmp_path_factory))
        add_game(services)
        for player in PLAYERS:
            credit(services, player, CURRENCY, "20")
        return services
    return build


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=st.lists(steps, min_size=4, max_size=18))
def test_random_hub88_and_v1_traffic_keeps_the_books(new_ledger, frozen_clock, drawn):
    traffic = Traffic(new_ledger())
    services = traffic.services
    try:
        for kind, *args in drawn:
            command = traffic.build(kind, *args)
            if command is not None:
                traffic.send(command)
            for player in PLAYERS:
                wallet = services.ledger.wallet(player, CURRENCY)
                assert wallet.available >= 0 and wallet.locked >= 0
        caught_up(services)
        assert all(total == 0 for total in services.journal.trial_balance().values())
        live = dumps(services)
        for name in services.projections.views:
            services.projections.rebuild(name)
        assert dumps(services) == live
    finally:
        services.close()
