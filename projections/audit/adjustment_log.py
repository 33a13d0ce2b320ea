"""The adjustment log: every manual adjustment and every audited operator action.

One row per action, keyed by its log position: when, what kind, who, the
subject (a wallet balance, a game, the FX rates, a player's limits or VIP
level), the values before and after (JSON, amounts as strings) and the
reason. Which events count, and how each is described, is the registry in
projections/audit/audited_actions.py; the values come from the aggregate just
before and just after the event, rebuilt from its own events
(projections/engine/aggregate_states.py, in `prepare`, before the view's
transaction), so the log is the same on every replay.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.application import Repository

from projections.engine.aggregate_states import AggregateStates
from projections.audit.audited_actions import DESCRIBERS, Action
from projections.engine.database import Cursor, ViewDatabase, equal_to, timestamp
from projections.engine.view import View

COLUMNS = ("position", "at", "kind", "actor", "player_id", "currency", "subject",
           "before", "after", "reason")


class AdjustmentLogView(View):
    name = "adjustment_log"
    tables = ("adjustment_log",)
    order_by = {"adjustment_log": "position"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}adjustment_log (position BIGINT PRIMARY KEY, "
        "at {time} NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, player_id TEXT, "
        "currency TEXT, subject TEXT NOT NULL, before TEXT NOT NULL, "
        "after TEXT NOT NULL, reason TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS adjustment_log_by_player "
        "ON {s}adjustment_log (player_id, position)",
    )

    def __init__(self, db: ViewDatabase, repository: Repository[Any]):
        super().__init__(db)
        self.repository = repository
        self.states = AggregateStates(repository)

    def on(self, db: ViewDatabase) -> AdjustmentLogView:
        """A replica keeps aggregate states of its own (it follows another position)."""
        replica = super().on(db)
        replica.states = AggregateStates(self.repository)
        return replica

    def prepare(self, batch: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        """Each audited action of the batch, described from its aggregate around it."""
        actions = []
        for position, event in batch:
            audited = DESCRIBERS.get(type(event))
            if audited and audited.when(event):
                action = audited.describe(event, *self.states.around(event))
                actions.append((position, row_of(position, event.timestamp, action)))
            else:
                self.states.follow(event)
        return actions

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        cursor.insert_rows("adjustment_log", COLUMNS, [row for _, row in batch])

    def page(self, *, player_id: str | None = None, currency: str | None = None,
             kind: str | None = None, start: datetime | None = None,
             end: datetime | None = None, before: int | None = None,
             limit: int = 50) -> list[dict[str, Any]]:
        """Newest first; `start` <= at < `end`; `before` is the previous page's cursor."""
        clauses, params = equal_to(player_id=player_id, currency=currency, kind=kind)
        for clause, value in (("at >= ?", start), ("at < ?", end), ("position < ?", before)):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        where = " AND ".join(clauses) or "1 = 1"
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(f"SELECT * FROM {{s}}adjustment_log WHERE {where} "
                                   "ORDER BY position DESC LIMIT ?",
                                   (*params, limit)).fetchall()
        return [entry(row) for row in found]


def row_of(position: int, at: datetime, action: Action) -> tuple[Any, ...]:
    return (position, at, action.kind, action.actor, action.player_id, action.currency,
            action.subject, encode(action.before), encode(action.after), action.reason)


def encode(values: dict[str, Any]) -> str:
    """Values as canonical JSON: amounts as plain decimal strings, times in ISO-8601."""
    return json.dumps(values, sort_keys=True, default=lambda value: (
        format(value, "f") if isinstance(value, Decimal) else value.isoformat()))


def entry(row: Any) -> dict[str, Any]:
    """A log row as the API shows it."""
    return {"position": row["position"], "at": timestamp(row["at"]), "kind": row["kind"],
            "actor": row["actor"], "playerId": row["player_id"],
            "currency": row["currency"], "subject": row["subject"],
            "before": json.loads(row["before"]), "after": json.loads(row["after"]),
            "reason": row["reason"]}
