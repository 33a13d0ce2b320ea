"""Real-time cashback: each losing bet's cashback, credited right after it settles.

For a program of model `realtime`, every settlement with a net loss on an
eligible game pays `net loss x percent / 100` (rounded down) at the tier of
the player's level at that moment. The tier's maximum caps the total paid
per player, currency and program period (the UTC day, week or month of the
settlement); a bet's cashback below the tier's minimum is not paid.

RealtimeCashback (one per program, player, currency and period) remembers
every bet it paid, so a bet is paid once however often its settlement is
seen; its id is uuid5 of those four, so the log has one row per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.betting.model import Bet
from domain.cashback.commands import level_and_rank, pay, program_of
from domain.cashback.calculation import HUNDRED, limit_in
from domain.betting.settlement import is_current_play, play_key
from domain.kernel.fx import usd_rates
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO
from domain.kernel.periods import period_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork


class RealtimeCashback(LedgerAggregate):
    @staticmethod
    def create_id(program: str, player_id: str, currency: str, period: str,
                  **_: Any) -> UUID:
        return realtime_key(program, player_id, currency, period)

    @event("Opened")
    def __init__(self, program: str, player_id: str, currency: str, period: str):
        self.program = program
        self.player_id = player_id
        self.currency = currency
        self.period = period
        self.paid = ZERO
        # The bets paid, by key (a dict, not a set: snapshots can hold it).
        self.bets: dict[str, Decimal] = {}

    def pay(self, key: str, figures: dict[str, Any]) -> None:
        self._paid(key, figures)

    @event("Paid")
    def _paid(self, key: str, figures: dict[str, Any]) -> None:
        self.bets[key] = figures["amount"]
        self.paid += figures["amount"]


def realtime_key(program: str, player_id: str, currency: str, period: str) -> UUID:
    return natural_id("cashback-realtime", program, player_id, currency, period)


@dataclass(frozen=True)
class CreditRealtimeCashback:
    kind: ClassVar[str] = "cashback-realtime"
    request_id: ClassVar[None] = None
    program: str
    bet_id: str
    settlement_version: int

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> RealtimePaid:
        program = program_of(uow, self.program, "realtime")
        bet = uow.find(UUID(self.bet_id))
        if not (is_current_play(bet, self.settlement_version) and bet.net_loss > 0
                and program.eligible(bet.category)):
            return RealtimePaid(self.bet_id, ZERO)
        period = period_key(program.kind, bet.settled_at)
        found = uow.find(realtime_key(self.program, bet.player_id, bet.currency, period))
        key = play_key(self.bet_id, self.settlement_version)
        if found is not None and key in found.bets:
            return RealtimePaid(self.bet_id, ZERO)
        figures = self._figures(uow, bet, found.paid if found else ZERO)
        if figures["amount"] <= 0:
            return RealtimePaid(self.bet_id, ZERO)
        account = found or uow.add(RealtimeCashback(self.program, bet.player_id,
                                                    bet.currency, period))
        request_id = str(natural_id("cashback-credit", account.id, key))
        balance, grant_id = pay(uow, source=f"cashback:{account.id}:{key}",
                                player_id=bet.player_id, currency=bet.currency,
                                amount=figures["amount"], wagering=figures["wagering"],
                                request_id=request_id)
        account.pay(key, figures | {"transactionId": request_id, "balance": balance,
                                    "grantId": grant_id})
        return RealtimePaid(self.bet_id, figures["amount"])


    def _figures(self, uow: UnitOfWork, bet: Bet, paid: Decimal) -> dict[str, Any]:
        """The bet's cashback within what the period's cap leaves (0: nothing to pay)."""
        program = program_of(uow, self.program, "realtime")
        level, rank = level_and_rank(uow, bet.player_id)
        found = program.tier_of(level)
        base = {"stake": bet.stake, "netLoss": bet.net_loss, "level": level, "rank": rank,
                "tier": found[0] if found else None, "amount": ZERO, "wagering": ZERO}
        if found is None:
            return base
        tier = found[1]
        quantum = uow.currencies.get(bet.currency).quantum
        amount = (bet.net_loss * tier.percent / HUNDRED).quantize(quantum, ROUND_DOWN)
        rate = usd_rates(uow).get(bet.currency)
        if (tier.max_usd is not None or tier.min_usd) and not rate:
            return base
        if tier.max_usd is not None:
            amount = min(amount, limit_in(tier.max_usd, rate, quantum, ROUND_DOWN) - paid)
        if tier.min_usd and amount < limit_in(tier.min_usd, rate, quantum, ROUND_UP):
            amount = ZERO
        return base | {"percent": tier.percent, "amount": max(amount, ZERO),
                       "wagering": tier.wagering}


@command_result("cashback-realtime-paid")
@dataclass(frozen=True)
class RealtimePaid:
    """Real-time cashback paid for one losing bet (0: none)."""

    bet_id: str
    amount: Decimal
