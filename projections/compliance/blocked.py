"""Blocked attempts for compliance: every bet or withdrawal a rule refused, and
counts by reason and rule (domain/compliance/blocked.py records them)."""

from __future__ import annotations

from typing import Any

from domain.compliance.blocked import BlockedAttempt
from projections.engine.database import Cursor, page_after
from projections.engine.view import View

COLUMNS = ("id", "player_id", "action", "request_id", "reason", "rule", "message", "at")


class BlockedAttemptsView(View):
    name = "blocked_attempts"
    tables = ("blocked_attempts",)
    order_by = {"blocked_attempts": "id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}blocked_attempts (id BIGINT PRIMARY KEY, "
        "player_id TEXT NOT NULL, action TEXT NOT NULL, request_id TEXT NOT NULL, "
        "reason TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, "
        "at {time} NOT NULL)",
        "CREATE INDEX IF NOT EXISTS blocked_attempts_by_player ON {s}blocked_attempts "
        "(player_id, id)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows = [(p, e.player_id, e.action, e.request_id, e.reason, e.rule, e.message,
                 e.timestamp) for p, e in batch if isinstance(e, BlockedAttempt.Recorded)]
        cursor.executemany(f"INSERT INTO {{s}}blocked_attempts ({', '.join(COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(COLUMNS))})", rows)

    def rows(self, *, player_id: str | None = None, reason: str | None = None,
             after: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        found = page_after(self.db, "blocked_attempts", after, limit,
                           player_id=player_id, reason=reason)
        return [{c: row[c] for c in COLUMNS} for row in found]

    def counts(self) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT reason, rule, COUNT(*) AS n FROM {s}blocked_attempts "
                "GROUP BY reason, rule ORDER BY reason, rule").fetchall()
        return [{"reason": r["reason"], "rule": r["rule"], "count": int(r["n"])}
                for r in found]
