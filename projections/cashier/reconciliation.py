"""Reconciliation reports: one row per report, listed by currency and time."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.cashier.treasury.reconciliation import ReconciliationReport
from projections.engine.database import Cursor
from projections.engine.records import RecordTable
from projections.engine.view import View

TABLE = RecordTable(
    "reconciliations",
    ("report_id", "seq", "currency", "run", "held", "expected", "discrepancy",
     "tolerance", "verdict", "inputs", "reported_at"),
    decimals=("held", "expected", "discrepancy", "tolerance"), times=("reported_at",))


class ReconciliationView(View):
    name = "reconciliation"
    tables = ("reconciliations",)
    order_by = {"reconciliations": "seq"}
    schema = (TABLE.ddl({"seq": "BIGINT"}),
              "CREATE INDEX IF NOT EXISTS reconciliations_by_currency ON "
              "{s}reconciliations (currency, reported_at)")

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        TABLE.upsert(cursor, [row(position, event) for position, event in batch
                              if isinstance(event, ReconciliationReport.Reported)])

    def rows(self, *, currency: str | None = None, start: datetime | None = None,
             end: datetime | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Reports newest first, in [start, end)."""
        where, params = [], []
        for clause, value in (("currency = ?", currency), ("reported_at >= ?", start),
                              ("reported_at < ?", end)):
            if value is not None:
                where.append(clause)
                params.append(value)
        with self.db.transaction(commit=False) as cursor:
            found = TABLE.select(cursor, where, params, order="seq DESC", limit=limit)
        return [public(r) for r in found]


def row(position: int, event: Any) -> dict[str, Any]:
    report = event.report
    return {"report_id": str(event.originator_id), "seq": position,
            "currency": event.currency, "run": event.run, "held": report["held"],
            "expected": report["expected"], "discrepancy": report["discrepancy"],
            "tolerance": report["tolerance"], "verdict": report["verdict"],
            "inputs": json.dumps({k: str(v) for k, v in report["inputs"].items()},
                                 sort_keys=True),
            "reported_at": event.at}


def public(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["report_id"], "currency": r["currency"], "run": r["run"],
            "at": r["reported_at"], "held": r["held"], "expected": r["expected"],
            "discrepancy": r["discrepancy"], "tolerance": r["tolerance"],
            "verdict": r["verdict"], "inputs": {
                k: Decimal(v) for k, v in json.loads(r["inputs"]).items()}}
