"""CashbackTally: one player's settled play in one currency over one period.

Why a tally aggregate, and not a view or a scan of the log: cashback must be
computed from the events, never from a view that might lag, and a job must
not scan the whole log for every period. The tally is an aggregate (so it is
as current as the log once its follower has caught up, which the cashback
job forces first), kept per period kind that a program uses (day, ISO week,
month of the settlement), with figures per game category so that each
program applies its own eligible categories. It is fed by a reaction
(projections/cashback/reactions.py), not by the settlement's own transaction:
bets stay exactly as fast as before (a settlement appends nothing more), and
the follower's commands share group-commit transactions.

Each play and bonus is remembered by its key (the bet and the version of its
settlement, or the wallet event), so counting it again changes nothing, and a
refund or rollback removes exactly what its settlement added.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO


class CashbackTally(LedgerAggregate):
    @staticmethod
    def create_id(player_id: str, currency: str, kind: str, period: str,
                  **_: Any) -> UUID:
        return tally_key(player_id, currency, kind, period)

    @event("Opened")
    def __init__(self, player_id: str, currency: str, kind: str, period: str):
        self.player_id = player_id
        self.currency = currency
        self.kind = kind
        self.period = period
        self.plays: dict[str, dict[str, Any]] = {}
        self.bonuses: dict[str, Decimal] = {}

    def figures(self, eligible: Any) -> dict[str, Any]:
        """Bets, wins and count over the categories `eligible(category)` admits."""
        counted = [p for p in self.plays.values() if eligible(p["category"])]
        return {"bets": sum((p["stake"] for p in counted), ZERO),
                "wins": sum((p["won"] for p in counted), ZERO),
                "count": len(counted),
                "bonuses": sum(self.bonuses.values(), ZERO)}

    # Commands: each a no-op when already done.

    def count(self, key: str, category: str, stake: Decimal, won: Decimal) -> None:
        if key not in self.plays:
            self._counted(key, category, stake, won)

    def uncount(self, key: str) -> None:
        if key in self.plays:
            self._uncounted(key)

    def count_bonus(self, key: str, amount: Decimal) -> None:
        if key not in self.bonuses:
            self._bonus_counted(key, amount)

    @event("PlayCounted")
    def _counted(self, key: str, category: str, stake: Decimal, won: Decimal) -> None:
        self.plays[key] = {"category": category, "stake": stake, "won": won}

    @event("PlayUncounted")
    def _uncounted(self, key: str) -> None:
        del self.plays[key]

    @event("BonusCounted")
    def _bonus_counted(self, key: str, amount: Decimal) -> None:
        self.bonuses[key] = amount


def tally_key(player_id: str, currency: str, kind: str, period: str) -> UUID:
    return natural_id("cashback-tally", player_id, currency, kind, period)
