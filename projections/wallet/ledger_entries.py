"""Ledger entries: one row per change of a player's pocket, with the balance after.

The player's statement (seed 004's ledger_entries table): amount, balance
after, type, reference and time. The entries of a pocket sum to its balance.

The running balance a batch starts from is kept in a side table of the view,
`ledger_pockets` (the balance after the last entry of each pocket), written in
the same transaction as the entries. That makes it a primary-key lookup, one
query per batch like every other view. The alternatives read the entries
table: the latest entry of each pocket needs a window function or a
correlated subquery over a table that only grows, and summing `amount` is not
exact on SQLite, whose SUM of TEXT decimals returns a float. A database whose
entries predate the side table fills it from the latest entry of each pocket
when the view starts (`create`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.kernel.money import ZERO
from domain.kernel.postings import pocket_of
from domain.wallet.model import Wallet
from projections.engine.database import Cursor, decimal, timestamp
from projections.engine.view import View

ENTRY_COLUMNS = ("position", "leg", "player_id", "currency", "pocket", "amount",
                 "balance_after", "entry_type", "reference", "request_id", "occurred_at")
UPSERT_POCKET = (
    "INSERT INTO {s}ledger_pockets (player_id, currency, pocket, balance) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (player_id, currency, pocket) "
    "DO UPDATE SET balance = excluded.balance"
)
FILL_POCKETS = (
    "INSERT INTO {s}ledger_pockets (player_id, currency, pocket, balance) "
    "SELECT player_id, currency, pocket, balance_after FROM ("
    "SELECT player_id, currency, pocket, balance_after, ROW_NUMBER() OVER ("
    "PARTITION BY player_id, currency, pocket ORDER BY position DESC, leg DESC) AS n "
    "FROM {s}ledger_entries) AS latest WHERE n = 1 "
    "ON CONFLICT (player_id, currency, pocket) DO NOTHING"
)
KEY = ("player_id", "currency", "pocket")


class LedgerEntriesView(View):
    name = "ledger_entries"
    tables = ("ledger_entries", "ledger_pockets")
    order_by = {"ledger_entries": "position, leg",
                "ledger_pockets": "player_id, currency, pocket"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}ledger_entries (position BIGINT NOT NULL, "
        "leg INTEGER NOT NULL, player_id TEXT NOT NULL, currency TEXT NOT NULL, "
        "pocket TEXT NOT NULL, amount {decimal} NOT NULL, "
        "balance_after {decimal} NOT NULL, entry_type TEXT NOT NULL, "
        "reference TEXT NOT NULL, request_id TEXT NOT NULL, "
        "occurred_at {time} NOT NULL, PRIMARY KEY (position, leg))",
        "CREATE INDEX IF NOT EXISTS ledger_entries_by_player "
        "ON {s}ledger_entries (player_id, position)",
        "CREATE TABLE IF NOT EXISTS {s}ledger_pockets (player_id TEXT NOT NULL, "
        "currency TEXT NOT NULL, pocket TEXT NOT NULL, balance {decimal} NOT NULL, "
        "PRIMARY KEY (player_id, currency, pocket))",
    )

    def create(self, cursor: Cursor) -> None:
        super().create(cursor)
        # Every batch writes a pocket with its entries, so pockets can only be
        # empty beside entries in a database written before they existed.
        if cursor.execute("SELECT 1 FROM {s}ledger_pockets LIMIT 1").fetchone() is None:
            cursor.execute(FILL_POCKETS)

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        legs = list(pocket_legs(batch))
        found = cursor.rows_by_key("ledger_pockets", KEY, (key for key, *_ in legs))
        running = {key: decimal(row["balance"]) for key, row in found.items()}
        rows = []
        for key, position, leg_no, event, leg in legs:
            running[key] = running.get(key, ZERO) + leg.amount
            rows.append((position, leg_no, *key, leg.amount, running[key],
                         event.entry_type, event.reference, event.request_id,
                         event.timestamp))
        cursor.insert_rows("ledger_entries", ENTRY_COLUMNS, rows)
        cursor.executemany(UPSERT_POCKET, [(*key, b) for key, b in running.items()])

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


def pocket_legs(batch: list[tuple[int, Any]]) -> Iterator[tuple[Any, ...]]:
    """(pocket key, position, leg number, event, leg) of each leg on a player's pocket."""
    for position, event in batch:
        if not isinstance(event, Wallet.Event):
            continue
        for leg_no, leg in enumerate(event.legs()):
            pocket = pocket_of(leg.account, event.player_id)
            if pocket is not None:
                yield (event.player_id, event.currency, pocket), position, leg_no, event, leg


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
