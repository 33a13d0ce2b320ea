"""Deposits and compliance: KYT of the source, deposit limits, held deposits.

A confirmed deposit is credited unless its source scored above the AML
screen's maximum (the same screen and maximum withdrawals use), or it would
break the KYC tier's daily deposit limit or a responsible-gaming deposit
limit; then it is held, naming the rule, until compliance releases it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.cashier.deposits.model import CREDITED, Deposit
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.compliance import standing
from domain.compliance.checks import deposit_over
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput, NotFound
from domain.kernel.fx import usd_rates


def held_for(uow: UnitOfWork, deposit: Deposit) -> str | None:
    """The rule that holds this deposit, or None to credit it."""
    if deposit.risk_score > uow.rules.cashier.max_risk_score:
        return "kyt.risk_score"
    rules = uow.rules.compliance
    if not rules.enabled:
        return None
    return deposit_over(rules, uow.player(deposit.player_id), deposit.currency,
                        deposit.amount, lambda: usd_rates(uow).get(deposit.currency),
                        clock.now())


def credit_deposit(uow: UnitOfWork, deposit: Deposit, actor: str) -> None:
    """Credit a deposit's amount to the player's cash, and count it toward limits."""
    uow.wallet(deposit.player_id, deposit.currency, deposit.reference).credit(
        deposit.amount, balance="cash", tag="DEPOSIT", request_id=deposit.reference,
        reference=deposit.reference, actor=actor)
    if uow.rules.compliance.enabled:
        standing.count(uow.player(deposit.player_id), "deposit", deposit.currency,
                       deposit.amount, deposit.reference)


@command_result("deposit-released")
@dataclass(frozen=True)
class DepositReleased:
    deposit_id: str
    status: str


@dataclass(frozen=True)
class ReleaseDeposit:
    """Compliance credits a held deposit after review; a repeat changes nothing."""

    kind: ClassVar[str] = "deposit-release"
    request_id: ClassVar[None] = None
    deposit_id: str
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return f"deposit:{self.deposit_id}"

    def decide(self, uow: UnitOfWork) -> DepositReleased:
        try:
            found = uow.find(UUID(self.deposit_id))
        except ValueError:
            found = None
        if not isinstance(found, Deposit):
            raise NotFound(f"no deposit {self.deposit_id}", field="depositId")
        if found.status != CREDITED:
            if not self.reason.strip():
                raise InvalidInput("reason: must not be empty", field="reason")
            found.release(self.actor, self.reason)
            credit_deposit(uow, found, self.actor)
        return DepositReleased(self.deposit_id, found.status)
