"""What the chains hold, and the treasury health check (seed 004) as a daily job.

`ChainHoldings` reads one chain's balances: the hot wallet (through its
sender), the players' deposit addresses (not swept yet), and the cold wallet
(a configured amount plus a watch-only address). The health check compares
the hot wallet with user balances from the journal and records the result
(domain/cashier/treasury/health.py); a LOW result is logged as an alert for treasury.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal

from eventsourcing.application import AggregateNotFoundError

from chain.interfaces import Sender
from domain.cashier.deposits.addresses import address_book_key
from domain.ledger import Ledger
from domain.kernel.money import ZERO
from domain.kernel.postings import HOUSE_HOT_WALLET, HOUSE_PENDING_WITHDRAWALS
from domain.cashier.treasury.health import LOW, CheckTreasury, HotWalletHealth
from projections.wallet.journal import JournalView
from projections.engine.runner import ProjectionRunner

log = logging.getLogger(__name__)


class ChainHoldings:
    def __init__(self, ledger: Ledger, sender: Sender, *, cold_address: str | None = None,
                 cold_balances: Mapping[str, Decimal] | None = None):
        self.ledger = ledger
        self.sender = sender
        self.chain = sender.chain
        self.cold_address = cold_address
        self.cold_balances = dict(cold_balances or {})

    @property
    def currencies(self) -> tuple[str, ...]:
        return self.ledger.rules.cashier.chain(self.chain).currencies

    def hot(self, currency: str) -> Decimal:
        return self.sender.balance(currency)

    def deposit_addresses(self, currency: str) -> Decimal:
        try:
            book = self.ledger.repository.get(address_book_key(self.chain))
        except AggregateNotFoundError:
            return ZERO
        return sum((self.sender.balance_of(a, currency) for a in book.owners), ZERO)

    def cold(self, currency: str) -> Decimal:
        watched = (self.sender.balance_of(self.cold_address, currency)
                   if self.cold_address else ZERO)
        return self.cold_balances.get(currency, ZERO) + watched


def book_figures(journal: JournalView, currency: str) -> dict[str, Decimal]:
    """User balances, pending withdrawals and house funds, from the journal."""
    figures = {"userBalances": ZERO, "pendingWithdrawals": ZERO, "houseFunds": ZERO}
    for (_, account), balance in journal.account_balances(currency).items():
        if account.startswith("player:"):
            figures["userBalances"] += balance
        elif account == HOUSE_PENDING_WITHDRAWALS:
            figures["pendingWithdrawals"] += balance
        elif account != HOUSE_HOT_WALLET:
            figures["houseFunds"] += balance
    return figures


class TreasuryHealthCheck:
    def __init__(self, ledger: Ledger, projections: ProjectionRunner,
                 holdings: list[ChainHoldings]):
        self.ledger = ledger
        self.projections = projections
        self.holdings = holdings

    def run(self, run: str) -> dict[str, HotWalletHealth]:
        """Check every currency of every chain with a hot wallet; the results by currency."""
        self.projections.catch_up(["journal"])
        journal: JournalView = self.projections.views["journal"]  # type: ignore[assignment]
        results = {}
        for chain in self.holdings:
            for currency in chain.currencies:
                users = book_figures(journal, currency)["userBalances"]
                result = self.ledger.execute(CheckTreasury(
                    currency, run, chain.hot(currency), users)).result
                if result.status == LOW:
                    log.warning("treasury: hot wallet %s low at %s of user balances; "
                                "refill %s", currency, result.ratio, result.refill)
                results[currency] = result
        return results
