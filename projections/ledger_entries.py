"""Ledger entries: one row per change of a player's pocket, with the balance after.

The player's statement (seed 004's ledger_entries table): amount, balance
after, type, reference and time. The entries of a pocket sum to its balance.
"""

from __future__ import annotations

from typing import Any

from domain.money import ZERO
from domain.postings import pocket_of
from domain.wallet import Wallet
from projections.database import Cursor, decimal, timestamp
from projections.view import View

INSERT = (
    "INSERT INTO {s}ledger_entries (position, leg, player_id, currency, pocket, "
    "amount, balance_after, entry_type, reference, request_id, occurred_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class LedgerEntriesView(View):
    name = "ledger_entries"
    tables = ("ledger_entries",)
    order_by = {"ledger_entries": "position, leg"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}ledger_entries (position BIGINT NOT NULL, "
        "leg INTEGER NOT NULL, player_id TEXT NOT NULL, currency TEXT NOT NULL, "
        "pocket TEXT NOT NULL, amount {decimal} NOT NULL, "
        "balance_after {decimal} NOT NULL, entry_type TEXT NOT NULL, "
        "reference TEXT NOT NULL, request_id TEXT NOT NULL, "
        "occurred_at {time} NOT NULL, PRIMARY KEY (position, leg))",
        "CREATE INDEX IF NOT EXISTS ledger_entries_by_player "
        "ON {s}ledger_entries (player_id, position)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        running: dict[tuple[str, str, str], Any] = {}
        rows = []
        for position, event in batch:
            if not isinstance(event, Wallet.Event):
                continue
            for leg_no, leg in enumerate(event.legs()):
                pocket = pocket_of(leg.account, event.player_id)
                if pocket is None:
                    continue
                key = (event.player_id, event.currency, pocket)
                if key not in running:
                    running[key] = self._last_balance(cursor, key)
                running[key] += leg.amount
                rows.append((position, leg_no, *key, leg.amount, running[key],
                             event.entry_type, event.reference, event.request_id,
                             event.timestamp))
        cursor.executemany(INSERT, rows)

    def _last_balance(self, cursor: Cursor, key: tuple[str, str, str]) -> Any:
        found = cursor.execute(
            "SELECT balance_after FROM {s}ledger_entries WHERE player_id = ? "
            "AND currency = ? AND pocket = ? ORDER BY position DESC, leg DESC LIMIT 1",
            key).fetchone()
        return decimal(found["balance_after"]) if found else ZERO

    def page(self, player_id: str, *, currency: str | None = None,
             before: tuple[int, int] | None = None, limit: int = 50,
             ) -> list[dict[str, Any]]:
        """Entries newest first, strictly before the (position, leg) cursor."""
        clauses, params = ["player_id = ?"], [player_id]
        if currency:
            clauses.append("currency = ?")
            params.append(currency)
        if before:
            clauses.append("(position < ? OR (position = ? AND leg < ?))")
            params += [before[0], before[0], before[1]]
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}ledger_entries WHERE {' AND '.join(clauses)} "
                "ORDER BY position DESC, leg DESC LIMIT ?", (*params, limit)).fetchall()
        return [entry(row) for row in found]


def entry(row: Any) -> dict[str, Any]:
    return {
        "position": row["position"],
        "leg": row["leg"],
        "playerId": row["player_id"],
        "currency": row["currency"],
        "pocket": row["pocket"],
        "amount": decimal(row["amount"]),
        "balanceAfter": decimal(row["balance_after"]),
        "type": row["entry_type"],
        "reference": row["reference"],
        "requestId": row["request_id"],
        "occurredAt": timestamp(row["occurred_at"]),
    }
