"""The cashback log (seed 003): one row per program, player, currency and period.

Each row mirrors a CashbackPeriod (status calculated -> credited | skipped,
the VIP level and rank snapshot, percent and every figure) or, for a
real-time program, a RealtimeCashback (always credited; its figures are the
sums over the losing bets it paid, its transaction id the latest credit's).
`id` is the log position where the row opened: a stable order for paging.
"""

from __future__ import annotations

from typing import Any

from domain.cashback.model import CREDITED, SKIPPED, CashbackPeriod
from domain.cashback.realtime import RealtimeCashback
from domain.kernel.money import ZERO
from projections.engine.database import Cursor, decimal, equal_to, timestamp
from projections.brands.players import in_brand
from projections.engine.view import View

AMOUNTS = ("percent", "total_bets", "total_wins", "bonuses", "net_loss", "base", "amount")
COLUMNS = ("row_id", "id", "program", "player_id", "currency", "period", "model",
           "vip_level", "vip_rank", "tier", *AMOUNTS, "transaction_id", "status",
           "reason", "created_at", "position")
UPSERT = (f"INSERT INTO {{s}}cashback_log ({', '.join(COLUMNS)}) VALUES "
          f"({', '.join('?' * len(COLUMNS))}) ON CONFLICT (row_id) DO UPDATE SET "
          + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[7:]))
FIGURES = {"total_bets": "totalBets", "total_wins": "totalWins", "bonuses": "bonuses",
           "net_loss": "netLoss", "base": "base", "amount": "amount", "percent": "percent"}


class CashbackLogView(View):
    name = "cashback_log"
    tables = ("cashback_log",)
    order_by = {"cashback_log": "id"}
    schema = (
        "CREATE TABLE IF NOT EXISTS {s}cashback_log (row_id TEXT PRIMARY KEY, "
        "id BIGINT NOT NULL, program TEXT NOT NULL, player_id TEXT NOT NULL, "
        "currency TEXT NOT NULL, period TEXT NOT NULL, model TEXT NOT NULL, "
        "vip_level TEXT NOT NULL, vip_rank INTEGER NOT NULL, tier TEXT, "
        + "".join(f"{a} {{decimal}} NOT NULL, " for a in AMOUNTS)
        + "transaction_id TEXT, status TEXT NOT NULL, reason TEXT NOT NULL, "
        "created_at {time} NOT NULL, position BIGINT NOT NULL, "
        "UNIQUE (program, player_id, currency, period))",
        "CREATE INDEX IF NOT EXISTS cashback_log_by_player ON {s}cashback_log "
        "(player_id, id)",
        "CREATE INDEX IF NOT EXISTS cashback_log_by_status ON {s}cashback_log "
        "(status, period)",
    )

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        events = [(p, e) for p, e in batch
                  if isinstance(e, (CashbackPeriod.Event, RealtimeCashback.Event))]
        found = cursor.rows_by_key("cashback_log", ("row_id",), (
            (str(e.originator_id),) for _, e in events))
        rows: dict[str, dict[str, Any]] = {}
        for position, event in events:
            key = str(event.originator_id)
            row = rows.get(key) or stored(found.get((key,)))
            rows[key] = change(row, key, position, event) | {"position": position}
        cursor.executemany(UPSERT, [tuple(r[c] for c in COLUMNS) for r in rows.values()])

    def rows(self, *, player_id: str | None = None, period: str | None = None,
             status: str | None = None, program: str | None = None,
             after: int | None = None, limit: int = 50,
             brand: str | None = None) -> list[dict[str, Any]]:
        """Rows in the order they opened, after the `id` cursor (of `brand`'s players)."""
        clauses, params = equal_to(player_id=player_id, period=period, status=status,
                                   program=program)
        brand_clauses, brand_params = in_brand(brand)
        clauses, params = clauses + brand_clauses, params + brand_params
        clauses.insert(0, "id > ?")
        params.insert(0, after or 0)
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                f"SELECT * FROM {{s}}cashback_log WHERE {' AND '.join(clauses)} "
                "ORDER BY id LIMIT ?", (*params, limit)).fetchall()
        return [public(row) for row in found]


def stored(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {c: decimal(row[c]) if c in AMOUNTS else row[c] for c in COLUMNS}


def change(row: dict[str, Any] | None, key: str, position: int,
           event: Any) -> dict[str, Any]:
    """A log row after one event of its CashbackPeriod or RealtimeCashback."""
    if isinstance(event, CashbackPeriod.Calculated):
        return opened(key, position, event, event.model, event.figures) | {
            "vip_level": event.level, "vip_rank": event.rank, "status": "calculated"}
    if isinstance(event, RealtimeCashback.Opened):
        return opened(key, position, event, "realtime", {}) | {"status": CREDITED}
    assert row is not None, f"no opening of cashback row {key}"
    if isinstance(event, CashbackPeriod.Skipped):
        return row | {"status": SKIPPED, "reason": event.reason}
    if isinstance(event, CashbackPeriod.Credited):
        return row | {"status": CREDITED, "transaction_id": event.transaction_id}
    return paid(row, event.figures)


def opened(key: str, position: int, event: Any, model: str,
           figures: dict[str, Any]) -> dict[str, Any]:
    return {"row_id": key, "id": position, "program": event.program,
            "player_id": event.player_id, "currency": event.currency,
            "period": event.period, "model": model, "vip_level": "", "vip_rank": 0,
            "tier": figures.get("tier"), "transaction_id": None, "reason": "",
            "created_at": event.timestamp,
            **{c: figures.get(f, ZERO) for c, f in FIGURES.items()}}


def paid(row: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
    """A real-time row after one more losing bet paid."""
    return row | {
        "vip_level": figures["level"], "vip_rank": figures["rank"], "tier": figures["tier"],
        "percent": figures["percent"], "transaction_id": figures["transactionId"],
        "total_bets": row["total_bets"] + figures["stake"],
        "net_loss": row["net_loss"] + figures["netLoss"],
        "base": row["base"] + figures["netLoss"],
        "amount": row["amount"] + figures["amount"]}


def public(row: Any) -> dict[str, Any]:
    """A log row as the API shows it."""
    return {"id": row["id"], "program": row["program"], "playerId": row["player_id"],
            "currency": row["currency"], "period": row["period"], "model": row["model"],
            "vipLevel": row["vip_level"], "vipRank": row["vip_rank"], "tier": row["tier"],
            **{FIGURES[a]: decimal(row[a]) for a in AMOUNTS},
            "transactionId": row["transaction_id"], "status": row["status"],
            "reason": row["reason"], "createdAt": timestamp(row["created_at"])}
