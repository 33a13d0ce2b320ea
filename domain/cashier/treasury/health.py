"""Treasury health of seed 004: the hot wallet against what players hold.

The hot wallet should hold about 15% of user balances (`hot_target`); under
5% (`hot_alert`) treasury is alerted with the refill that brings it back to
the target. Cold-wallet refills are manual. Each check is recorded as an
event on the currency's TreasuryHealth, so the result of every scheduled run
can be read back (GET /v1/admin/treasury shows the latest).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.cashier.rules import CashierRules
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO
from domain.commanding.unit_of_work import UnitOfWork

OK, LOW = "ok", "low"


def health(hot: Decimal, users: Decimal, rules: CashierRules,
           quantum: Decimal) -> dict[str, Any]:
    """The ratio of hot to user balances, its verdict, and the refill to the target
    (rounded up to the currency's precision, so it always reaches the target)."""
    ratio = hot / users if users > 0 else Decimal(1)
    refill = max(users * rules.hot_target - hot, ZERO).quantize(quantum, ROUND_UP)
    return {"hot": hot, "userBalances": users, "ratio": ratio.quantize(Decimal("0.0001")),
            "target": rules.hot_target, "alertBelow": rules.hot_alert,
            "refill": refill, "status": LOW if ratio < rules.hot_alert else OK}


class TreasuryHealth(LedgerAggregate):
    @staticmethod
    def create_id(currency: str, **_: Any) -> UUID:
        return treasury_key(currency)

    @event("Opened")
    def __init__(self, currency: str):
        self.currency = currency
        self.last: dict[str, Any] = {}

    def check(self, run: str, result: dict[str, Any]) -> None:
        if self.last.get("run") != run:
            self._checked(run, result)

    @event("Checked")
    def _checked(self, run: str, result: dict[str, Any]) -> None:
        self.last = {"run": run, **result}

    def latest(self) -> HotWalletHealth:
        """The latest check (its event keeps the figures under the names `health` gives)."""
        last = self.last
        return HotWalletHealth(
            currency=self.currency, run=last["run"], hot=last["hot"],
            user_balances=last["userBalances"], ratio=last["ratio"], target=last["target"],
            alert_below=last["alertBelow"], refill=last["refill"], status=last["status"])


@command_result("treasury-check")
@dataclass(frozen=True)
class HotWalletHealth:
    currency: str
    run: str
    hot: Decimal
    user_balances: Decimal
    ratio: Decimal  # hot / user balances
    target: Decimal
    alert_below: Decimal
    refill: Decimal  # what brings the hot wallet back to the target
    status: str  # ok | low


def treasury_key(currency: str) -> UUID:
    return natural_id("treasury-health", currency)


@dataclass(frozen=True)
class CheckTreasury:
    """Record one health check of a currency; `run` names it (a repeat records nothing)."""

    kind: ClassVar[str] = "treasury-check"
    request_id: ClassVar[None] = None
    currency: str
    run: str
    hot: Decimal
    user_balances: Decimal

    @property
    def partition(self) -> str:
        return f"treasury:{self.currency}"

    def decide(self, uow: UnitOfWork) -> HotWalletHealth:
        quantum = uow.currencies.get(self.currency).quantum
        found = uow.find(treasury_key(self.currency)) or uow.add(
            TreasuryHealth(self.currency))
        found.check(self.run, {"currency": self.currency, **health(
            self.hot, self.user_balances, uow.rules.cashier, quantum)})
        return found.latest()
