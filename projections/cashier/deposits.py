"""Deposits: one row per transfer to a player's address, with its confirmations.

Confirmations are counted against the height the chain's watcher has
reached (kept in `deposit_tips` by the watch's id), as the watcher counts
them when crediting.
"""

from __future__ import annotations

from typing import Any

from domain.cashier.deposits.model import CREDITED, HELD, ORPHANED, PENDING, Deposit
from domain.cashier.deposits.watch import ChainWatch, watch_key
from projections.engine.database import Cursor
from projections.engine.records import RecordTable
from projections.engine.view import View

TABLE = RecordTable(
    "deposits",
    ("deposit_id", "seq", "player_id", "chain", "currency", "tx_hash", "tx_index",
     "address", "amount", "block_height", "block_hash", "required", "status",
     "detected_at", "updated_at", "position"),
    decimals=("amount",), times=("detected_at", "updated_at"))
INTEGERS = {"seq": "BIGINT", "tx_index": "INTEGER", "block_height": "BIGINT",
            "required": "INTEGER", "position": "BIGINT"}
STATUS_OF = {"Credited": CREDITED, "Orphaned": ORPHANED, "Redetected": PENDING,
             "Held": HELD, "Released": CREDITED}
TIP = ("INSERT INTO {s}deposit_tips (watch, height) VALUES (?, ?) "
       "ON CONFLICT (watch) DO UPDATE SET height = excluded.height")


class DepositsView(View):
    name = "deposits"
    tables = ("deposits", "deposit_tips")
    order_by = {"deposits": "seq", "deposit_tips": "watch"}
    schema = (TABLE.ddl(INTEGERS),
              "CREATE INDEX IF NOT EXISTS deposits_by_player ON {s}deposits "
              "(player_id, seq)",
              "CREATE TABLE IF NOT EXISTS {s}deposit_tips (watch TEXT PRIMARY KEY, "
              "height BIGINT NOT NULL)")

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        tips: dict[str, int] = {}
        for position, event in batch:
            if isinstance(event, ChainWatch.Event):
                tips[event.originator_id.hex] = watch_height(event)
            if not isinstance(event, Deposit.Event):
                continue
            key = str(event.originator_id)
            if isinstance(event, Deposit.Detected):
                rows[key] = detected(position, event)
            else:
                rows[key] = change(rows.get(key) or TABLE.load(cursor, key), event)
            rows[key].update(updated_at=event.timestamp, position=position)
        TABLE.upsert(cursor, rows.values())
        cursor.executemany(TIP, list(tips.items()))

    def rows(self, player_id: str, limit: int = 100) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as cursor:
            tips = {r["watch"]: r["height"] for r in cursor.execute(
                "SELECT watch, height FROM {s}deposit_tips").fetchall()}
            found = TABLE.select(cursor, ["player_id = ?"], [player_id],
                                 order="seq DESC", limit=limit)
        return [public(r, tips.get(watch_key(r["chain"]).hex, 0)) for r in found]


def watch_height(event: Any) -> int:
    for field in ("height", "fork_height"):
        if hasattr(event, field):
            return getattr(event, field)
    return 0


def detected(position: int, e: Any) -> dict[str, Any]:
    return {"deposit_id": str(e.originator_id), "seq": position, "player_id": e.player_id,
            "chain": e.chain, "currency": e.currency, "tx_hash": e.tx_hash,
            "tx_index": e.index, "address": e.address, "amount": e.amount,
            "block_height": e.block_height, "block_hash": e.block_hash,
            "required": e.required, "status": e.status, "detected_at": e.timestamp}


def change(row: dict[str, Any], event: Any) -> dict[str, Any]:
    row["status"] = STATUS_OF.get(type(event).__name__, row["status"])
    if hasattr(event, "block_height"):
        row.update(block_height=event.block_height, block_hash=event.block_hash)
    return row


def public(row: dict[str, Any], tip: int) -> dict[str, Any]:
    live = row["status"] == PENDING
    return {"id": row["deposit_id"], "playerId": row["player_id"], "chain": row["chain"],
            "currency": row["currency"], "txHash": row["tx_hash"], "index": row["tx_index"],
            "address": row["address"], "amount": row["amount"],
            "blockHeight": row["block_height"], "blockHash": row["block_hash"],
            "confirmations": max(tip - row["block_height"] + 1, 0) if live else None,
            "required": row["required"], "status": row["status"],
            "detectedAt": row["detected_at"], "updatedAt": row["updated_at"]}
