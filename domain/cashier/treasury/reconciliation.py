"""Reconciliation of seed 004: what the chains hold against what the ledger owes.

discrepancy = hot + deposit addresses + cold
              - (user balances + pending withdrawals + house funds)

Deposit addresses hold what players sent until it is swept to the hot
wallet (sweeping is not built yet), so they count as hot. User balances are every player pocket (cash, locked and bonus); pending
withdrawals were debited from players and have not left the hot wallet yet;
house funds are the house's own money in the books (GGR won less bonuses,
rakeback, adjustments and fees paid). By the zero trial balance their sum is
minus the ledger's hot-wallet account, so a coin sent to the hot wallet
outside the ledger shows as +amount and a deposit credited with no coin as
-amount. Above the tolerance (0.0001) the verdict is "discrepancy", an alert.
Each report (inputs, discrepancy, verdict, time) is an event of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.clock import clock
from domain.kernel.ids import natural_id
from domain.commanding.unit_of_work import UnitOfWork

BALANCED, DISCREPANCY = "balanced", "discrepancy"
INPUTS = ("hot", "depositAddresses", "cold", "userBalances", "pendingWithdrawals",
          "houseFunds")


def reconcile(inputs: dict[str, Decimal], tolerance: Decimal) -> dict[str, Any]:
    held = inputs["hot"] + inputs["depositAddresses"] + inputs["cold"]
    owed = inputs["userBalances"] + inputs["pendingWithdrawals"] + inputs["houseFunds"]
    discrepancy = held - owed
    return {"inputs": inputs, "held": held, "expected": owed, "discrepancy": discrepancy,
            "tolerance": tolerance,
            "verdict": DISCREPANCY if abs(discrepancy) > tolerance else BALANCED}


class ReconciliationReport(LedgerAggregate):
    @staticmethod
    def create_id(currency: str, run: str, **_: Any) -> UUID:
        return report_key(currency, run)

    @event("Reported")
    def __init__(self, currency: str, run: str, report: dict[str, Any], at: Any):
        self.currency = currency
        self.run = run
        self.report = report
        self.at = at

    def record(self) -> ReconciliationRecord:
        """The report (its event keeps the figures under the names `reconcile` gives)."""
        return ReconciliationRecord(report_id=str(self.id), currency=self.currency,
                                    run=self.run, at=self.at, **self.report)


@command_result("reconciliation")
@dataclass(frozen=True)
class ReconciliationRecord:
    report_id: str
    currency: str
    run: str
    at: datetime
    inputs: dict[str, Decimal]  # by input name (INPUTS)
    held: Decimal
    expected: Decimal
    discrepancy: Decimal
    tolerance: Decimal
    verdict: str  # balanced | discrepancy


def report_key(currency: str, run: str) -> UUID:
    return natural_id("reconciliation", currency, run)


@dataclass(frozen=True)
class Reconcile:
    """Record one reconciliation of a currency; `run` (a day, or an on-demand id)
    keys it, so the same run again returns the first report."""

    kind: ClassVar[str] = "reconciliation"
    request_id: ClassVar[None] = None
    currency: str
    run: str
    inputs: dict[str, Decimal] = field(hash=False)

    @property
    def partition(self) -> str:
        return f"reconciliation:{self.currency}"

    def decide(self, uow: UnitOfWork) -> ReconciliationRecord:
        uow.currencies.get(self.currency)
        found = uow.find(report_key(self.currency, self.run))
        if found is None:
            report = reconcile(dict(self.inputs), uow.rules.cashier.tolerance)
            found = uow.add(ReconciliationReport(self.currency, self.run, report,
                                                 clock.now()))
        return found.record()
