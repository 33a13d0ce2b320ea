"""Balances: per player and currency, cash, bonus, locked and available."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.kernel.money import ZERO
from domain.kernel.postings import POCKETS, pocket_of
from domain.wallet.model import Wallet
from projections.engine.database import Cursor, decimal, timestamp
from projections.engine.view import View

UPSERT = (
    "INSERT INTO {s}balances (player_id, currency, available, locked, bonus, "
    "bonus_locked, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (player_id, currency) DO UPDATE SET available = excluded.available, "
    "locked = excluded.locked, bonus = excluded.bonus, "
    "bonus_locked = excluded.bonus_locked, position = excluded.position, "
    "updated_at = excluded.updated_at"
)

KEY = ("player_id", "currency")


class BalancesView(View):
    name = "balances"
    tables = ("balances",)
    order_by = {"balances": "player_id, currency"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}balances (player_id TEXT NOT NULL, "
        "currency TEXT NOT NULL, available {decimal} NOT NULL, "
        "locked {decimal} NOT NULL, bonus {decimal} NOT NULL, "
        "bonus_locked {decimal} NOT NULL, position BIGINT NOT NULL, "
        "updated_at {time} NOT NULL, PRIMARY KEY (player_id, currency))",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [(p, e) for p, e in batch if isinstance(e, Wallet.Event)]
        found = cursor.rows_by_key("balances", KEY, (key_of(e) for _, e in events))
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for position, event in events:
            key = key_of(event)
            row = rows.get(key) or pockets(found.get(key))
            for leg in event.legs():
                pocket = pocket_of(leg.account, event.player_id)
                if pocket:
                    row[pocket] += leg.amount
            row.update(position=position, updated_at=event.timestamp)
            rows[key] = row
        cursor.executemany(UPSERT, [
            (*key, *(row[p] for p in POCKETS), row["position"], row["updated_at"])
            for key, row in rows.items()
        ])

    def for_player(self, player_id: str) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT * FROM {s}balances WHERE player_id = ? ORDER BY currency",
                (player_id,)).fetchall()
        return [figures(row) for row in found]

    def totals(self, currency: str) -> dict[str, Decimal]:
        """Sum of every player's pockets in one currency (for reconciliation)."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT available, locked, bonus, bonus_locked FROM {s}balances "
                "WHERE currency = ?", (currency,)).fetchall()
        return {p: sum((decimal(r[p]) for r in found), ZERO) for p in POCKETS}


def key_of(event: Any) -> tuple[str, str]:
    return (event.player_id, event.currency)


def pockets(found: Any) -> dict[str, Any]:
    """The pockets of a stored row, or zeros for a wallet the view has not seen."""
    if found is None:
        return dict.fromkeys(POCKETS, ZERO)
    return {p: decimal(found[p]) for p in POCKETS}


def figures(row: Any) -> dict[str, Any]:
    """A balances row as the wallet figures the API shows."""
    available, locked = decimal(row["available"]), decimal(row["locked"])
    bonus, bonus_locked = decimal(row["bonus"]), decimal(row["bonus_locked"])
    return {
        "playerId": row["player_id"],
        "currency": row["currency"],
        "cash": available + locked,
        "bonus": bonus + bonus_locked,
        "locked": locked,
        "bonusLocked": bonus_locked,
        "available": available,
        "position": row["position"],
        "updatedAt": timestamp(row["updated_at"]),
    }
