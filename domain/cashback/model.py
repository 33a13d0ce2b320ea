"""CashbackPeriod: one program's cashback for one player, currency and period.

Its id is uuid5 of (program, player, currency, period), so it exists at most
once: a period calculated again, by a re-run, a catch-up or a second
scheduler, finds it and changes nothing. Life cycle (seed 003):

    Calculated -> Credited (with the ledger transaction id)
               -> Skipped  (with the reason: no net loss, below the minimum, ...)

Calculated snapshots the VIP level and rank, the tier and every figure the
amount came from. Calculating and crediting are two commands, so a job that
stops between them leaves a `calculated` period, which the next run credits;
crediting is idempotent by the status.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id

CALCULATED, CREDITED, SKIPPED = "calculated", "credited", "skipped"
STATUSES = (CALCULATED, CREDITED, SKIPPED)


class CashbackPeriod(LedgerAggregate):
    @staticmethod
    def create_id(program: str, player_id: str, currency: str, period: str,
                  **_: Any) -> UUID:
        return cashback_key(program, player_id, currency, period)

    @event("Calculated")
    def __init__(self, program: str, player_id: str, currency: str, period: str,
                 model: str, level: str, rank: int, figures: dict[str, Any]):
        self.program = program
        self.player_id = player_id
        self.currency = currency
        self.period = period
        self.model = model
        self.level = level
        self.rank = rank
        self.figures = figures
        self.status = CALCULATED
        self.reason = ""
        self.transaction_id: str | None = None
        self.grant_id: str | None = None

    @property
    def amount(self) -> Decimal:
        return self.figures["amount"]

    @property
    def transaction_key(self) -> str:
        """The id of the wallet credit that pays this period (its requestId)."""
        return str(natural_id("cashback-credit", self.id))

    def skip(self, reason: str) -> None:
        if self.status == CALCULATED:
            self._skipped(reason)

    def credit(self, *, balance: str, grant_id: str | None) -> None:
        if self.status != CALCULATED:
            raise Conflict(f"cashback {self.id} is {self.status}, not calculated")
        self._credited(self.transaction_key, balance, self.amount, grant_id)

    @event("Skipped")
    def _skipped(self, reason: str) -> None:
        self.status = SKIPPED
        self.reason = reason

    @event("Credited")
    def _credited(self, transaction_id: str, balance: str, amount: Decimal,
                  grant_id: str | None) -> None:
        self.status = CREDITED
        self.transaction_id = transaction_id
        self.grant_id = grant_id


def cashback_key(program: str, player_id: str, currency: str, period: str) -> UUID:
    return natural_id("cashback", program, player_id, currency, period)
