"""Withdrawal requests and their approval: request, approve, reject.

A request is checked (minimum, available cash, AML score recorded by the
screen before it) and locks the amount; bonus, held and locked funds are not
available, because Wallet.lock takes only available cash. Its USD value at the
rates in force decides how many finance approvals it needs (configuration).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from domain.compliance import standing
from domain.compliance.checks import check_withdrawal
from domain.kernel.clock import clock
from domain.kernel.errors import InsufficientFunds, InvalidInput, NotFound
from domain.kernel.fx import in_usd, usd_rates
from domain.commanding.callers import PlayersOwn
from domain.commanding.unit_of_work import UnitOfWork
from domain.wallet.model import wallet_id
from domain.cashier.withdrawals.model import Withdrawal, withdrawal_key
from domain.cashier.withdrawals.records import WithdrawalRecord, withdrawal_record


@dataclass(frozen=True)
class RequestWithdrawal(PlayersOwn):
    kind: ClassVar[str] = "withdrawal"
    request_id: str
    player_id: str
    currency: str
    amount: Decimal
    destination: str
    aml_score: int
    requested_by: str

    def decide(self, uow: UnitOfWork) -> WithdrawalRecord:
        rules = uow.rules.cashier
        amount = uow.currencies.check(self.amount, self.currency)
        chain = rules.chain_of(self.currency)
        minimum = rules.minimum_withdrawal(self.currency)
        if amount < minimum:
            raise InvalidInput(f"amount: the minimum withdrawal is {minimum} "
                               f"{self.currency}", field="amount")
        if self.aml_score > rules.max_risk_score:
            raise InvalidInput(f"destination: refused by the AML screen (risk score "
                               f"{self.aml_score} above {rules.max_risk_score})",
                               field="destination")
        key = withdrawal_key(self.player_id, self.request_id)
        if uow.rules.compliance.enabled:
            player = uow.player(self.player_id)
            check_withdrawal(uow.rules.compliance, player, self.currency, amount,
                             lambda: usd_rates(uow).get(self.currency), clock.now())
            standing.count(player, "withdrawal", self.currency, amount, str(key))
        self._lock(uow, key, amount)
        rate = usd_rates(uow).get(self.currency)
        usd = None if rate is None else in_usd(amount, rate)
        # An amount with no USD rate cannot be shown to be small: it needs approval.
        needed = 1 if usd is None else rules.approvals_needed(usd)
        return withdrawal_record(uow.add(Withdrawal(
            self.player_id, self.request_id, self.currency, chain.name, amount,
            self.destination, usd, self.aml_score, needed, self.requested_by)))

    def _lock(self, uow: UnitOfWork, key: UUID, amount: Decimal) -> None:
        wallet = uow.find(wallet_id(self.player_id, self.currency))
        if wallet is None:
            raise InsufficientFunds(f"cash available is 0, short of {amount}")
        wallet.lock(f"withdrawal:{key}", amount, request_id=self.request_id,
                    reference=f"withdrawal:{key}")


def withdrawal_of(uow: UnitOfWork, withdrawal_id: UUID) -> Withdrawal:
    found = uow.find(withdrawal_id)
    if not isinstance(found, Withdrawal):
        raise NotFound(f"no withdrawal {withdrawal_id}", field="withdrawalId")
    return found


@dataclass(frozen=True)
class ApproveWithdrawal:
    """One finance user's approval; keyed by withdrawal and approver (no requestId)."""

    kind: ClassVar[str] = "withdrawal-approve"
    request_id: ClassVar[None] = None
    withdrawal_id: UUID
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return f"withdrawal:{self.withdrawal_id}"

    def decide(self, uow: UnitOfWork) -> WithdrawalRecord:
        withdrawal = withdrawal_of(uow, self.withdrawal_id)
        withdrawal.approve(self.actor, self.reason)
        return withdrawal_record(withdrawal)


@dataclass(frozen=True)
class RejectWithdrawal:
    """Refuse a withdrawal not yet signed; its locked funds are unlocked."""

    kind: ClassVar[str] = "withdrawal-reject"
    request_id: ClassVar[None] = None
    withdrawal_id: UUID
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return f"withdrawal:{self.withdrawal_id}"

    def decide(self, uow: UnitOfWork) -> WithdrawalRecord:
        withdrawal = withdrawal_of(uow, self.withdrawal_id)
        withdrawal.reject(self.actor, self.reason)
        wallet = uow.wallet(withdrawal.player_id, withdrawal.currency, withdrawal.lock_id)
        wallet.unlock(withdrawal.lock_id, request_id=withdrawal.lock_id,
                      reference=withdrawal.lock_id)
        return withdrawal_record(withdrawal)
