"""Aggregates that grow with every bet load the same state from a snapshot as from events."""

from __future__ import annotations

from decimal import Decimal

from domain.cashback.tally import CashbackTally


def test_a_tally_past_its_snapshot_interval_loads_as_its_events_fold(services):
    ledger = services.ledger
    tally = CashbackTally("p1", "USDT", "week", "2026-W03")
    for number in range(130):
        tally.count(f"bet-{number}", "slots", Decimal("2.5"), Decimal(number % 3))
        ledger.save(tally)
    tally.uncount("bet-7")
    ledger.save(tally)

    assert list(ledger.snapshots.get(tally.id)), "a snapshot was taken"
    loaded = ledger.repository.get(tally.id)
    folded = None
    for stored in ledger.events.get(tally.id):
        folded = stored.mutate(folded)
    assert loaded.version == folded.version == tally.version
    assert loaded.plays == folded.plays == tally.plays
    assert loaded.figures(lambda _: True)["bets"] == Decimal("2.5") * 129
