"""Rakeback rows: per player and currency, what each bucket holds (the admin list).

The unlock jobs also read it to find the accounts with something to unlock.
Rows are keyed by the account's id (later events carry only that); `id` is the
log position where the account opened, a stable order for paging.
"""

from __future__ import annotations

from typing import Any

from domain.kernel.money import ZERO
from domain.rakeback.model import PERIOD_KIND, RakebackAccount
from projections.engine.database import Cursor, decimal, equal_to
from projections.engine.view import View

FIGURES = ("instant_claimable", "daily_accumulated", "daily_claimable",
           "weekly_accumulated", "weekly_claimable", "monthly_accumulated",
           "monthly_claimable")
COLUMNS = ("account_id", "id", "player_id", "currency", *FIGURES, "position")
UPSERT = (
    f"INSERT INTO {{s}}rakeback_accounts ({', '.join(COLUMNS)}) VALUES "
    f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT (account_id) DO UPDATE SET "
    + ", ".join(f"{f} = excluded.{f}" for f in (*FIGURES, "position"))
)


class RakebackView(View):
    name = "rakeback"
    tables = ("rakeback_accounts",)
    order_by = {"rakeback_accounts": "id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}rakeback_accounts (account_id TEXT PRIMARY KEY, "
        "id BIGINT NOT NULL, player_id TEXT NOT NULL, currency TEXT NOT NULL, "
        + "".join(f"{f} {{decimal}} NOT NULL, " for f in FIGURES)
        + "position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rakeback_accounts_by_player "
        "ON {s}rakeback_accounts (player_id, id)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for position, event in batch:
            if not isinstance(event, RakebackAccount.Event):
                continue
            account_id = str(event.originator_id)
            if isinstance(event, RakebackAccount.Opened):
                rows[account_id] = {"id": position, "player_id": event.player_id,
                                    "currency": event.currency,
                                    **dict.fromkeys(FIGURES, ZERO)}
            else:
                row = rows.get(account_id) or self._load(cursor, account_id)
                rows[account_id] = change(row, event)
            rows[account_id]["position"] = position
        cursor.executemany(UPSERT, [(account_id, *(row[c] for c in COLUMNS[1:]))
                                    for account_id, row in rows.items()])

    def _load(self, cursor: Cursor, account_id: str) -> dict[str, Any]:
        found = cursor.execute("SELECT * FROM {s}rakeback_accounts WHERE account_id = ?",
                               (account_id,)).fetchone()
        return {"id": found["id"], "player_id": found["player_id"],
                "currency": found["currency"], **{f: decimal(found[f]) for f in FIGURES}}

    def rows(self, *, player_id: str | None = None, currency: str | None = None,
             after: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Accounts in the order they opened, after the `id` cursor."""
        clauses, params = equal_to(player_id=player_id, currency=currency)
        clauses.insert(0, "id > ?")
        params.insert(0, after or 0)
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}rakeback_accounts WHERE {' AND '.join(clauses)} "
                "ORDER BY id LIMIT ?", (*params, limit)).fetchall()
        return [public(row) for row in found]

    def with_something_in(self, bucket: str) -> list[tuple[str, str]]:
        """(player, currency) of every account whose bucket holds anything."""
        name = bucket.lower()
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT player_id, currency, {name}_accumulated, {name}_claimable "
                "FROM {s}rakeback_accounts ORDER BY id").fetchall()
        return [(r["player_id"], r["currency"]) for r in found
                if decimal(r[f"{name}_accumulated"]) or decimal(r[f"{name}_claimable"])]


def change(row: dict[str, Any], event: Any) -> dict[str, Any]:
    """An account row after one of its events."""
    if isinstance(event, (RakebackAccount.Accrued, RakebackAccount.ClawedBack)):
        sign = 1 if isinstance(event, RakebackAccount.Accrued) else -1
        row["instant_claimable"] += sign * event.parts["INSTANT"]
        for bucket in PERIOD_KIND:
            row[f"{bucket.lower()}_accumulated"] += sign * event.parts[bucket]
    elif isinstance(event, RakebackAccount.Forfeited):
        row[f"{event.bucket.lower()}_claimable"] -= event.amount
    elif isinstance(event, RakebackAccount.Unlocked):
        name = event.bucket.lower()
        row[f"{name}_accumulated"] -= event.amount
        row[f"{name}_claimable"] += event.amount
    elif isinstance(event, RakebackAccount.Claimed):
        row[f"{event.bucket.lower()}_claimable"] = ZERO
    return row


def public(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "playerId": row["player_id"], "currency": row["currency"],
            **{camel(f): decimal(row[f]) for f in FIGURES}, "position": row["position"]}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)
