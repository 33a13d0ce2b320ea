"""Withdrawals: one row per request with its status, for the lists and the worker.

The worker reads the queue here (a lagging view only delays a send: it loads
each withdrawal itself before acting); funds are never checked here.
"""

from __future__ import annotations

from typing import Any

from domain.cashier.withdrawals.model import (
    CANCELLED,
    CONFIRMED,
    FAILED,
    QUEUED,
    REJECTED,
    SENT,
    SIGNED,
    Withdrawal,
)
from projections.engine.database import Cursor, equal_to
from projections.engine.records import RecordTable
from projections.engine.view import View

TABLE = RecordTable(
    "withdrawals",
    ("withdrawal_id", "seq", "player_id", "currency", "chain", "amount", "usd",
     "destination", "status", "approvals_needed", "approvals", "tx_hash", "nonce",
     "fee", "sent", "note", "requested_at", "updated_at", "position"),
    decimals=("amount", "usd", "fee", "sent"), times=("requested_at", "updated_at"))
INTEGERS = {"seq": "BIGINT", "approvals_needed": "INTEGER", "nonce": "BIGINT",
            "position": "BIGINT"}
STATUS_OF = {"Rejected": REJECTED, "Signed": SIGNED, "Retried": SIGNED,
             "Broadcast": SENT, "SendFailed": FAILED, "Reverted": FAILED,
             "Mined": CONFIRMED, "Cancelled": CANCELLED}
NOTE_OF = {"Deferred": "reason", "SendFailed": "error", "Rejected": "reason",
           "Retried": "reason", "Cancelled": "reason"}


class WithdrawalsView(View):
    name = "withdrawals"
    tables = ("withdrawals",)
    order_by = {"withdrawals": "seq"}
    schema = (TABLE.ddl(INTEGERS),
              "CREATE INDEX IF NOT EXISTS withdrawals_by_status ON {s}withdrawals "
              "(status, chain, seq)",
              "CREATE INDEX IF NOT EXISTS withdrawals_by_player ON {s}withdrawals "
              "(player_id, seq)")

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for position, event in batch:
            if not isinstance(event, Withdrawal.Event):
                continue
            key = str(event.originator_id)
            if isinstance(event, Withdrawal.Requested):
                rows[key] = created(position, event)
            else:
                rows[key] = change(rows.get(key) or TABLE.load(cursor, key), event)
            rows[key].update(updated_at=event.timestamp, position=position)
        TABLE.upsert(cursor, rows.values())

    def rows(self, *, player_id: str | None = None, status: str | None = None,
             chain: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        where, params = equal_to(player_id=player_id, status=status, chain=chain)
        with self.db.transaction(commit=False) as cursor:
            return [public(r) for r in TABLE.select(cursor, where, params,
                                                    order="seq", limit=limit)]

    def ids(self, chain: str, status: str) -> list[str]:
        """The worker's queue: withdrawals of a chain in a status, oldest first."""
        return [r["id"] for r in self.rows(chain=chain, status=status, limit=1000)]


def created(position: int, event: Any) -> dict[str, Any]:
    return {"withdrawal_id": str(event.originator_id), "seq": position,
            "player_id": event.player_id, "currency": event.currency,
            "chain": event.chain, "amount": event.amount, "usd": event.usd,
            "destination": event.destination, "approvals_needed": event.approvals_needed,
            "status": "pending_approval" if event.approvals_needed else QUEUED,
            "approvals": "", "tx_hash": None, "nonce": None, "fee": None, "sent": None,
            "note": "", "requested_at": event.timestamp}


def change(row: dict[str, Any], event: Any) -> dict[str, Any]:
    name = type(event).__name__
    row["status"] = STATUS_OF.get(name, row["status"])
    if name == "Approved":
        approvals = [a for a in row["approvals"].split(",") if a] + [event.actor]
        row["approvals"] = ",".join(approvals)
        if len(approvals) >= row["approvals_needed"]:
            row["status"] = QUEUED
    elif name == "Signed":
        t = event.transaction
        row.update(tx_hash=t["txHash"], nonce=t["nonce"], fee=t["feeCharged"],
                   sent=t["sent"])
    if name in NOTE_OF:  # why it waits, failed or ended (an approval's reason is not)
        row["note"] = getattr(event, NOTE_OF[name])
    return row


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["withdrawal_id"], "playerId": row["player_id"],
            "currency": row["currency"], "chain": row["chain"], "amount": row["amount"],
            "usd": row["usd"], "destination": row["destination"], "status": row["status"],
            "approvalsNeeded": row["approvals_needed"],
            "approvals": [a for a in row["approvals"].split(",") if a],
            "txHash": row["tx_hash"], "nonce": row["nonce"], "fee": row["fee"],
            "sent": row["sent"], "note": row["note"], "requestedAt": row["requested_at"],
            "updatedAt": row["updated_at"]}
