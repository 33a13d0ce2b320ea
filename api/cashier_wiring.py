"""The cashier wired to its chains: deposit addresses, withdrawals, watchers, workers.

One `ChainClients` per chain holds what the cashier may use there: the
deriver of deposit addresses (an extended public key), the validator of
destinations, the block source to watch, and the hot wallet's sender (only
in the process that sends). Bootstrap builds them from configuration, or
tests inject clients on their local chains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chain.interfaces import (
    AddressDeriver,
    AddressValidator,
    BlockSource,
    InvalidAddress,
    Sender,
)
from domain.cashier.aml import AmlScreen, RulesAml
from domain.cashier.sweeps.rules import SweepRule
from domain.commanding.runner import Outcome
from domain.cashier.deposits.addresses import AssignDepositAddress
from domain.kernel.errors import InvalidInput
from domain.ledger import Ledger
from domain.cashier.withdrawals.commands import RequestWithdrawal
from projections.engine.runner import ProjectionRunner
from schedulers.cashier.deposit_watch import DepositWatcher
from schedulers.jobs.catalogue import Job
from schedulers.jobs.pollers import Poller
from schedulers.cashier.reconciliation import Reconciler
from schedulers.cashier.sweeper import Sweeper
from schedulers.cashier.treasury_health import ChainHoldings, TreasuryHealthCheck
from schedulers.cashier.withdrawal_worker import Listing, WithdrawalWorker


@dataclass
class ChainClients:
    deriver: AddressDeriver | None = None
    validator: AddressValidator | None = None
    source: BlockSource | None = None
    sender: Sender | None = None
    start_height: int | None = None
    cold_address: str | None = None
    cold_balances: Mapping[str, Decimal] | None = None
    # The sweeper's signer of deposit address `index` (holds the deposit keys;
    # only in the process that sweeps) and the sweep rules by currency.
    deposit_signer: Callable[[int], Sender] | None = None
    sweep_rules: Mapping[str, SweepRule] = field(default_factory=dict)


class Cashier:
    def __init__(self, ledger: Ledger, projections: ProjectionRunner,
                 clients: Mapping[str, ChainClients], listing: Listing,
                 aml: AmlScreen | None = None):
        self.ledger = ledger
        self.projections = projections
        self.clients = dict(clients)
        self.listing = listing
        rules = ledger.rules.cashier
        self.aml = aml or RulesAml(rules.deny_list, rules.risk_scores)

    def chain_of(self, currency: str) -> tuple[str, ChainClients]:
        self.ledger.currencies.get(currency)
        name = self.ledger.rules.cashier.chain_of(currency).name
        return name, self.clients.get(name) or ChainClients()

    def deposit_address(self, player_id: str, currency: str) -> Outcome:
        name, clients = self.chain_of(currency)
        if clients.deriver is None:
            raise InvalidInput(f"currency: deposits of {currency} on {name} are not "
                               "configured (no extended public key)", field="currency")
        return self.ledger.execute(AssignDepositAddress(player_id, currency,
                                                        derive=clients.deriver.address))

    def request_withdrawal(self, *, request_id: str, player_id: str, currency: str,
                           amount: Decimal, destination: str, requested_by: str) -> Outcome:
        """Validate the destination for the currency's chain and network, screen it,
        then lock the funds and queue the request (domain/cashier/withdrawals/commands.py)."""
        address = self.normalize(currency, destination)
        screened = self.aml.screen(address, currency)
        return self.ledger.execute(RequestWithdrawal(
            request_id=request_id, player_id=player_id, currency=currency,
            amount=amount, destination=address, aml_score=screened.score,
            requested_by=requested_by))

    def normalize(self, currency: str, destination: str) -> str:
        name, clients = self.chain_of(currency)
        if clients.validator is None:
            raise InvalidInput(f"currency: withdrawals of {currency} on {name} are not "
                               "configured", field="currency")
        try:
            return clients.validator.normalize(destination)
        except InvalidAddress as error:
            raise InvalidInput(f"destination: not a valid {name} "
                               f"({self.ledger.rules.cashier.chain(name).network}) "
                               f"address: {error}", field="destination") from None

    # The chain loops, for the scheduler and the CLI.

    def watchers(self) -> list[DepositWatcher]:
        return [DepositWatcher(self.ledger, c.source, start_height=c.start_height,
                               aml=self.aml)
                for c in self.clients.values() if c.source is not None]

    def workers(self) -> list[WithdrawalWorker]:
        return [WithdrawalWorker(self.ledger, c.sender, self.listing)
                for c in self.clients.values() if c.sender is not None]

    def sweepers(self) -> list[Sweeper]:
        """Where the chain has a hot wallet, the deposit addresses' keys and rules."""
        return [Sweeper(self.ledger, c.sender, c.deposit_signer, c.sweep_rules)
                for c in self.clients.values()
                if c.sender is not None and c.deposit_signer is not None and c.sweep_rules]

    def sweep(self) -> list[dict[str, Any]]:
        return [sweeper.step() for sweeper in self.sweepers()]

    def watch(self) -> list[dict[str, Any]]:
        return [watcher.step() for watcher in self.watchers()]

    def send(self) -> list[dict[str, Any]]:
        return [worker.step() for worker in self.workers()]

    def pollers(self, watch_seconds: int, send_seconds: int,
                sweep_seconds: int = 60) -> list[Poller]:
        """The chain loops the scheduler runs, where a chain has a source or sender
        (and the sweeper where it has the deposit addresses' keys)."""
        found = []
        if self.sweepers():
            found.append(Poller("deposit-sweep", sweep_seconds, self.sweep))
        if self.watchers():
            found.append(Poller("deposit-watch", watch_seconds, self.watch))
        if self.workers():
            found.append(Poller("withdrawal-send", send_seconds, self.send))
        return found

    # Treasury and reconciliation, where a hot wallet is configured.

    def holdings(self) -> list[ChainHoldings]:
        return [ChainHoldings(self.ledger, c.sender, cold_address=c.cold_address,
                              cold_balances=c.cold_balances)
                for c in self.clients.values() if c.sender is not None]

    def treasury(self) -> TreasuryHealthCheck:
        return TreasuryHealthCheck(self.ledger, self.projections, self.holdings())

    def reconciler(self) -> Reconciler:
        return Reconciler(self.ledger, self.projections, self.holdings())

    def jobs(self) -> list[Job]:
        """Daily: the treasury health check and the reconciliation (docs/scheduler.md)."""
        return [Job("treasury-health", "day", lambda p: self.treasury().run(str(p)),
                    "record the hot wallet's health against user balances"),
                Job("reconciliation", "day", lambda p: self.reconciler().run(str(p)),
                    "reconcile each currency's chain holdings with the books")]
