"""Cashback jobs: after each period ends, every period program calculates and credits.

One job per `net_loss` or `gross_bet` program (`cashback-<program>`), of the
program's period kind. A run first lets the cashback follower and the tally
index catch up, so every bet settled before the boundary is counted, then,
for each player and currency that played in the period, calculates the
period and credits it: two commands, each idempotent by the period's
aggregate. A run stopped between them leaves periods `calculated`, which the
next run credits; a run again creates nothing new. Real-time programs have
no job: their follower pays each bet.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from domain.cashback.commands import CalculateCashback, CashbackSummary, CreditCashback
from domain.cashback.rules import CashbackProgram
from domain.ledger import Ledger
from domain.kernel.money import ZERO
from projections.cashback.tallies import CashbackTalliesView
from projections.engine.runner import ProjectionRunner
from schedulers.jobs.catalogue import Job
from domain.kernel.periods import Period

FOLLOWERS = ["cashback_plays", "cashback_tallies"]
LANES = 16


def cashback_jobs(ledger: Ledger, projections: ProjectionRunner) -> list[Job]:
    return [Job(f"cashback-{program.name}", program.kind,
                partial(run_period, ledger, projections, program),
                f"{program.model} cashback of program {program.name} for the {program.kind}")
            for program in ledger.rules.cashback.of_model("net_loss", "gross_bet")]


def run_period(ledger: Ledger, projections: ProjectionRunner, program: CashbackProgram,
               period: Period) -> dict[str, Any]:
    """Calculate and credit every player's cashback of `program` for `period`."""
    projections.catch_up(FOLLOWERS)
    view: CashbackTalliesView = projections.views["cashback_tallies"]  # type: ignore[assignment]
    keys = [(program.name, player_id, currency, str(period))
            for player_id, currency in view.players(program.kind, str(period))]
    # Players in parallel lanes, so that their commands share group-commit
    # transactions; each player's two commands stay in order. A failure fails the run.
    with ThreadPoolExecutor(LANES) as pool:
        outcomes = list(pool.map(partial(calculate_and_credit, ledger), keys))
    counts = {"calculated": 0, "credited": 0, "skipped": 0, "changed": 0}
    paid: dict[str, Any] = {}
    for result, changed in outcomes:
        counts[result.status] += 1
        counts["changed"] += changed
        if result.status == "credited":
            paid[result.currency] = paid.get(result.currency, ZERO) + result.amount
    # `changed`: players whose period this run calculated or credited (0 on a re-run).
    return {"program": program.name, "period": str(period), **counts, "paid": paid}


def calculate_and_credit(ledger: Ledger, key: tuple[str, str, str, str],
                         ) -> tuple[CashbackSummary, bool]:
    """One player's period: its credit's result, and whether anything was appended."""
    calculated = ledger.execute(CalculateCashback(*key))
    credited = ledger.execute(CreditCashback(*key))
    return credited.result, not (calculated.replayed and credited.replayed)
