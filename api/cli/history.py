"""How `casino-ledger audit balances` and `audit replay` print their results."""

from __future__ import annotations

import json

from rich.table import Table

from api.cli.context import console
from projections.audit.replay_report import ReplayReport, plain

FIGURES = ("cash", "bonus", "locked", "bonusLocked", "available")


def print_balances(found: dict) -> None:
    console.print(f"player {found['playerId']} as of {found['at'].isoformat()}: "
                  f"last wallet event at position {found['position']}, log at "
                  f"{found['logPosition']}")
    table = Table("currency", *FIGURES, "version", "position", "event time")
    for wallet in found["balances"]:
        table.add_row(wallet["currency"], *(format(wallet[f], "f") for f in FIGURES),
                      str(wallet["version"]), str(wallet["position"]),
                      wallet["updatedAt"].isoformat())
    console.print(table)


def print_report(report: ReplayReport) -> None:
    table = Table("view", "position", "status", "rows", "detail")
    for view in report.views:
        rows = ", ".join(f"{t} {n}" for t, n in view.rows.items())
        table.add_row(view.name, str(view.position), view.status, rows, view.detail)
    console.print(table)
    for difference in report.listed:
        console.print(f"[red]{difference.view}.{difference.table}[/red] "
                      f"key {json.dumps(difference.key, default=plain)}\n"
                      f"  live:    {json.dumps(difference.live, default=plain)}\n"
                      f"  rebuilt: {json.dumps(difference.rebuilt, default=plain)}")
    if report.differences > len(report.listed):
        console.print(f"... and {report.differences - len(report.listed)} more")
    if report.scratch:
        console.print(f"kept the rebuilt views in {report.scratch}")
    console.print(f"{report.verdict}: {report.differences} differing rows, log position "
                  f"{report.position}, {report.seconds:.1f} s")
