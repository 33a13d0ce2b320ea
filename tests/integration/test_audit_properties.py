"""Random histories: the balances as of every instant equal what the live view showed,
and a replay of the exported (format 2) events up to the same instant.

Each example runs random adjustments (credits and debits of cash and bonus,
some refused for want of funds) over two players and two currencies, moving
the clock by 0 to 2 seconds between steps (so several steps may share an
instant). After the last step at each instant the live balances view is
captured; afterwards the balances as of that instant, replayed from the
wallets' events, must equal it, and a verified replay must find every view
equal.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.kernel.clock import clock, parse_instant
from domain.kernel.errors import DomainError
from projections.audit.history import balances_as_of
from projections.audit.replay import replay
from tests.factories import adjust, caught_up
from tests.integration.audit_helpers import export_to, verified
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


def exported_events(services, tmp_path) -> list[dict]:
    """The whole log as a regulator receives it: a format 2 export, verified."""
    path = export_to(services, tmp_path / f"log-{uuid.uuid4().hex}.jsonl")
    assert verified(services, path).ok
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:-2]]


def replayed_from_export(records: list[dict], at) -> tuple[int, dict[str, dict]]:
    """The log as of `at` from the export alone (the records whose time is at or
    before it, a prefix since times never go backwards), and each player's cash
    and bonus replayed from its wallet events with decimal arithmetic."""
    prefix = [r for r in records if parse_instant(r["time"]) <= at]
    assert prefix == records[:len(prefix)]  # a prefix of the log
    wallets: dict[str, dict] = {player: {} for player in PLAYERS}
    for r in prefix:
        name, payload = r["name"], r["payload"]
        if not name.startswith("wallet.") or r["playerId"] not in wallets:
            continue
        figures = wallets[r["playerId"]].setdefault(
            payload["currency"], {"cash": Decimal(0), "bonus": Decimal(0)})
        sign = {"wallet.credited": 1, "wallet.debited": -1, "wallet.opened": 0}[name]
        if sign:
            figures[payload["balance"]] += sign * Decimal(payload["amount"])
    return (prefix[-1]["position"] if prefix else 0), wallets


def test_balances_as_of_random_instants_equal_a_replay_of_the_exported_events(
        backend, request, tmp_path_factory, frozen_clock):
    """Balances as of any instant equal a replay of the format 2 export up to the
    same instant, the log as of it ends at `logPosition`, and asking again after
    more events gives the same `position` and `logPosition`."""
    @hypothesis_settings(backend)
    @given(drawn=st.lists(steps, min_size=1, max_size=10),
           probes=st.lists(st.integers(-1000, 25000), min_size=1, max_size=6))
    def example(drawn: list[tuple], probes: list[int]) -> None:
        with fresh_ledger(backend, request, tmp_path_factory) as services:
            start = clock.now()
            for player, currency, balance, units, seconds in drawn:
                clock.advance(timedelta(seconds=seconds))
                try:
                    adjust(services, player, currency, str(Decimal(units) / 100),
                           balance=balance)
                except DomainError:
                    pass
            clock.advance(timedelta(seconds=1))
            end = clock.now()
            instants = [min(start + timedelta(milliseconds=ms), end) for ms in probes]
            first = {at: as_of_answer(services, at) for at in instants}
            clock.advance(timedelta(seconds=1))  # what follows happens after them
            records = exported_events(services, tmp_path_factory.mktemp("export"))
            for at, (position, log_position, figures) in first.items():
                expected_position, expected = replayed_from_export(records, at)
                assert log_position == expected_position, at
                assert {p: {c: {"cash": f["cash"], "bonus": f["bonus"]}
                            for c, f in wallets.items()}
                        for p, wallets in figures.items()} == expected, at
                assert position <= log_position
            adjust(services, "p1", "USDT", "1")  # the log grows after the instants
            for at, answer in first.items():
                assert as_of_answer(services, at) == answer, at

    example()


def as_of_answer(services, at) -> tuple[int, int, dict[str, dict]]:
    answers = {player: balances_as_of(services.ledger, services.projections, player, at)
               for player in PLAYERS}
    positions = {a["logPosition"] for a in answers.values()}
    assert len(positions) == 1
    figures = {player: {w["currency"]: {f: w[f] for f in ("cash", "bonus")}
                        for w in a["balances"]} for player, a in answers.items()}
    return max(a["position"] for a in answers.values()), positions.pop(), figures
