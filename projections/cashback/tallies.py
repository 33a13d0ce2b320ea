"""Cashback tallies: which players played in which period (an index for the jobs).

Only the index comes from here: a cashback job first catches this view up,
then reads each listed tally aggregate itself for the figures.
"""

from __future__ import annotations

from typing import Any

from domain.cashback.tally import CashbackTally
from projections.engine.database import Cursor
from projections.engine.view import View

INSERT = ("INSERT INTO {s}cashback_tallies (tally_id, player_id, currency, kind, period, "
          "position) VALUES (?, ?, ?, ?, ?, ?)")


class CashbackTalliesView(View):
    name = "cashback_tallies"
    tables = ("cashback_tallies",)
    order_by = {"cashback_tallies": "position"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}cashback_tallies (tally_id TEXT PRIMARY KEY, "
        "player_id TEXT NOT NULL, currency TEXT NOT NULL, kind TEXT NOT NULL, "
        "period TEXT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS cashback_tallies_by_period "
        "ON {s}cashback_tallies (kind, period, position)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        cursor.executemany(INSERT, [
            (str(e.originator_id), e.player_id, e.currency, e.kind, e.period, position)
            for position, e in batch if isinstance(e, CashbackTally.Opened)])

    def players(self, kind: str, period: str) -> list[tuple[str, str]]:
        """(player, currency) of every tally of the period, in the order they opened."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT player_id, currency FROM {s}cashback_tallies WHERE kind = ? "
                "AND period = ? ORDER BY position", (kind, period)).fetchall()
        return [(row["player_id"], row["currency"]) for row in found]
