"""Reconciliation per currency: daily as a job, and on demand (seed 004).

Reads what the chains hold (schedulers/cashier/treasury_health.py `ChainHoldings`)
and what the books owe (the journal, caught up first), and records the
report (domain/cashier/treasury/reconciliation.py). A discrepancy above the tolerance is
recorded in the report's verdict and logged as an error for finance.
"""

from __future__ import annotations

import logging

from domain.ledger import Ledger
from domain.cashier.treasury.reconciliation import (
    DISCREPANCY,
    Reconcile,
    ReconciliationRecord,
)
from projections.wallet.journal import JournalView
from projections.engine.runner import ProjectionRunner
from schedulers.cashier.treasury_health import ChainHoldings, book_figures

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(self, ledger: Ledger, projections: ProjectionRunner,
                 holdings: list[ChainHoldings]):
        self.ledger = ledger
        self.projections = projections
        self.holdings = {c: h for h in holdings for c in h.currencies}

    @property
    def currencies(self) -> list[str]:
        return list(self.holdings)

    def run(self, run: str, currencies: list[str] | None = None,
            ) -> dict[str, ReconciliationRecord]:
        """Reconcile the currencies (default all with a hot wallet); reports by currency."""
        self.projections.catch_up(["journal"])
        return {c: self.reconcile(c, run) for c in currencies or self.currencies}

    def reconcile(self, currency: str, run: str) -> ReconciliationRecord:
        holdings = self.holdings[currency]
        journal: JournalView = self.projections.views["journal"]  # type: ignore[assignment]
        inputs = {"hot": holdings.hot(currency),
                  "depositAddresses": holdings.deposit_addresses(currency),
                  "cold": holdings.cold(currency), **book_figures(journal, currency)}
        report = self.ledger.execute(Reconcile(currency, run, inputs)).result
        if report.verdict == DISCREPANCY:
            log.error("RECONCILIATION DISCREPANCY %s: %s (run %s)", currency,
                      report.discrepancy, run)
        return report
