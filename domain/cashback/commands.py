"""Cashback commands: calculate a period, then credit it.

Both are keyed by (program, player, currency, period) through the
CashbackPeriod's id, so they carry no requestId: calculating a period that
exists, or crediting one that is no longer `calculated`, changes nothing.
Credited cashback with a wagering multiplier lands in the bonus balance under
a BonusGrant (requirement = multiplier x amount); with multiplier 0 it is
cash. Either way it is one wallet credit tagged CASHBACK (from
house:cashback_expense) whose requestId is the period's transaction id.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from domain.bonus.commands import grant_bonus
from domain.cashback.model import CALCULATED, CashbackPeriod, cashback_key
from domain.cashback.calculation import calculate
from domain.cashback.rules import CashbackProgram
from domain.cashback.tally import tally_key
from domain.kernel.errors import Conflict, InvalidInput
from domain.kernel.fx import usd_rates
from domain.kernel.money import ZERO
from domain.kernel.periods import is_period
from domain.players.model import player_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork

EMPTY = {"bets": ZERO, "wins": ZERO, "count": 0, "bonuses": ZERO}


def program_of(uow: UnitOfWork, name: str, *models: str) -> CashbackProgram:
    program = uow.rules.cashback.programs.get(name)
    if program is None or program.model not in models:
        raise InvalidInput(f"program: no {'/'.join(models)} cashback program {name!r}",
                           field="program")
    return program


def level_and_rank(uow: UnitOfWork, player_id: str) -> tuple[str, int]:
    """The player's VIP level now (the bottom one for a player never seen)."""
    player = uow.find(player_key(player_id))
    ladder = uow.rules.ladder
    level = player.level if player is not None else ladder.names[0]
    return level, ladder.rank(level)


def pay(uow: UnitOfWork, *, source: str, player_id: str, currency: str,
        amount: Decimal, wagering: Decimal, request_id: str) -> tuple[str, str | None]:
    """Credit cashback: to bonus under a grant, or to cash when wagering is 0."""
    if wagering > 0:
        quantum = uow.currencies.get(currency).quantum
        grant = grant_bonus(uow, source=source, player_id=player_id, currency=currency,
                            amount=amount, requirement=(amount * wagering).quantize(quantum),
                            tag="CASHBACK", request_id=request_id)
        return "bonus", str(grant.id)
    uow.wallet(player_id, currency, request_id).credit(
        amount, balance="cash", tag="CASHBACK", request_id=request_id, reference=source)
    return "cash", None



@command_result("cashback-period")
@dataclass(frozen=True)
class CashbackSummary:
    """A player's cashback period after a command: `calculated`, `credited`
    (with the ledger transaction id) or `skipped` (with the reason)."""

    program: str
    player_id: str
    currency: str
    period: str
    status: str
    amount: Decimal
    reason: str
    transaction_id: str | None


def summary(period: CashbackPeriod) -> CashbackSummary:
    return CashbackSummary(period.program, period.player_id, period.currency,
                           period.period, period.status, period.amount, period.reason,
                           period.transaction_id)


@dataclass(frozen=True)
class CashbackCommand:
    request_id: ClassVar[None] = None
    program: str
    player_id: str
    currency: str
    period: str

    @property
    def partition(self) -> str:
        return self.player_id

    @property
    def key(self) -> Any:
        return cashback_key(self.program, self.player_id, self.currency, self.period)


@dataclass(frozen=True)
class CalculateCashback(CashbackCommand):
    kind: ClassVar[str] = "cashback-calculate"

    def decide(self, uow: UnitOfWork) -> CashbackSummary:
        program = program_of(uow, self.program, "net_loss", "gross_bet")
        if not is_period(program.kind, self.period):
            raise InvalidInput(f"period: program {self.program} runs per {program.kind}",
                               field="period")
        found = uow.find(self.key)
        if found is not None:
            return summary(found)
        tally = uow.find(tally_key(self.player_id, self.currency, program.kind, self.period))
        level, rank = level_and_rank(uow, self.player_id)
        figures = calculate(program, program.tier_of(level),
                            tally.figures(program.eligible) if tally else EMPTY,
                            uow.currencies.get(self.currency).quantum,
                            usd_rates(uow).get(self.currency))
        period = uow.add(CashbackPeriod(self.program, self.player_id, self.currency,
                                        self.period, program.model, level, rank, figures))
        if figures["reason"]:
            period.skip(figures["reason"])
        return summary(period)


@dataclass(frozen=True)
class CreditCashback(CashbackCommand):
    kind: ClassVar[str] = "cashback-credit"

    def decide(self, uow: UnitOfWork) -> CashbackSummary:
        period = uow.find(self.key)
        if period is None:
            raise Conflict(f"cashback of {self.player_id} for {self.period} "
                           f"({self.program}, {self.currency}) is not calculated")
        if period.status == CALCULATED:
            balance, grant_id = pay(
                uow, source=f"cashback:{period.id}", player_id=self.player_id,
                currency=self.currency, amount=period.amount,
                wagering=period.figures["wagering"], request_id=period.transaction_key)
            period.credit(balance=balance, grant_id=grant_id)
        return summary(period)
