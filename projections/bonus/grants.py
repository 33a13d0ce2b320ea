"""Bonus grants: one row per grant (status, progress, expiry), for the expiry job
and the back office. A player's own grants are read from the aggregates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.bonus.model import COMPLETED, EXPIRED, OPEN, BonusGrant
from domain.kernel.money import ZERO
from projections.engine.database import Cursor, decimal, timestamp
from projections.engine.view import View

COLUMNS = ("grant_id", "player_id", "currency", "amount", "requirement", "progress",
           "status", "expires_at", "position")
UPSERT = (f"INSERT INTO {{s}}bonus_grants ({', '.join(COLUMNS)}) VALUES "
          f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT (grant_id) DO UPDATE SET "
          "progress = excluded.progress, status = excluded.status")
STATUS = {BonusGrant.Completed: COMPLETED, BonusGrant.Expired: EXPIRED}


class BonusGrantsView(View):
    name = "bonus_grants"
    tables = ("bonus_grants",)
    order_by = {"bonus_grants": "position"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}bonus_grants (grant_id TEXT PRIMARY KEY, "
        "player_id TEXT NOT NULL, currency TEXT NOT NULL, amount {decimal} NOT NULL, "
        "requirement {decimal} NOT NULL, progress {decimal} NOT NULL, "
        "status TEXT NOT NULL, expires_at {time}, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS bonus_grants_open ON {s}bonus_grants "
        "(status, expires_at)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [(p, e) for p, e in batch if isinstance(e, BonusGrant.Event)]
        found = cursor.rows_by_key("bonus_grants", ("grant_id",), (
            (str(e.originator_id),) for _, e in events))
        rows: dict[str, dict[str, Any]] = {}
        for position, event in events:
            key = str(event.originator_id)
            if isinstance(event, BonusGrant.Granted):
                rows[key] = {"grant_id": key, "player_id": event.player_id,
                             "currency": event.currency, "amount": event.amount,
                             "requirement": event.requirement, "progress": ZERO,
                             "status": OPEN, "expires_at": event.expires_at,
                             "position": position}
                continue
            row = rows.get(key) or dict(found[(key,)])
            if isinstance(event, BonusGrant.Wagered):
                row["progress"] = decimal(row["progress"]) + event.counted
            row["status"] = STATUS.get(type(event), row["status"])
            rows[key] = row
        cursor.executemany(UPSERT, [tuple(r[c] for c in COLUMNS) for r in rows.values()])

    def due(self, at: datetime) -> list[str]:
        """Open grants whose expiry is at or before `at`."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT grant_id, expires_at FROM {s}bonus_grants WHERE status = ? "
                "AND expires_at IS NOT NULL ORDER BY position", (OPEN,)).fetchall()
        return [r["grant_id"] for r in found if timestamp(r["expires_at"]) <= at]
