"""Random histories: the balances as of every instant equal what the live view showed.

Each example runs random adjustments (credits and debits of cash and bonus,
some refused for want of funds) over two players and two currencies, moving
the clock by 0 to 2 seconds between steps (so several steps may share an
instant). After the last step at each instant the live balances view is
captured; afterwards the balances as of that instant, replayed from the
wallets' events, must equal it, and a verified replay must find every view
equal.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.kernel.clock import clock
from domain.kernel.errors import DomainError
from projections.audit.history import balances_as_of
from projections.audit.replay import replay
from tests.factories import adjust, caught_up
from tests.integration.test_properties import fresh_ledger, hypothesis_settings

PLAYERS = ("p1", "p2")
FIGURES = ("cash", "bonus", "locked", "bonusLocked", "available")

steps = st.tuples(st.sampled_from(PLAYERS), st.sampled_from(("USDT", "BTC")),
                  st.sampled_from(("cash", "bonus")),
                  st.integers(-300, 500).filter(bool), st.integers(0, 2))


def live(services) -> dict[str, dict]:
    caught_up(services)
    return {player: {row["currency"]: {f: row[f] for f in FIGURES}
                     for row in services.balances.for_player(player)}
            for player in PLAYERS}


def as_of(services, at) -> dict[str, dict]:
    return {player: {w["currency"]: {f: w[f] for f in FIGURES}
                     for w in balances_as_of(services.ledger, services.projections, player, at)["balances"]}
            for player in PLAYERS}


def run_example(services, drawn: list[tuple]) -> None:
    seen = {}
    for player, currency, balance, units, seconds in drawn:
        clock.advance(timedelta(seconds=seconds))
        try:
            adjust(services, player, currency, str(Decimal(units) / 100), balance=balance)
        except DomainError:
            pass  # refused: changes nothing, and the capture below shows it
        seen[clock.now()] = live(services)
    clock.advance(timedelta(seconds=1))
    for at, figures in seen.items():
        assert as_of(services, at) == figures, at
    assert replay(services.projections).verdict == "equal"


def test_random_histories_replay_to_what_the_live_view_showed(backend, request,
                                                             tmp_path_factory, frozen_clock):
    @hypothesis_settings(backend)
    @given(drawn=st.lists(steps, min_size=1, max_size=12))
    def example(drawn: list[tuple]) -> None:
        with fresh_ledger(backend, request, tmp_path_factory) as services:
            run_example(services, drawn)

    example()
