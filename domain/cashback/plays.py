"""Commands that keep the cashback tallies: count a settled bet, uncount a reversed
one, count a bonus received.

They are idempotent by natural key (the tally remembers every key it
counted), so they carry no requestId and a repeat appends nothing. A bet
counts once per settlement, in the periods of its settlement time: WIN and
LOSS only (a PUSH or VOID returned the stake, so it neither lost nor
wagered anything). Its stake counts as bet and its payout as won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.betting.settlement import is_current_play, play_key
from domain.cashback.tally import CashbackTally, tally_key
from domain.kernel.periods import period_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork

# Credits to the bonus balance that count as "bonuses received" (a PAYOUT or
# REFUND to bonus returns bet money; CASHBACK is what this feature pays).
BONUS_TAGS = ("BONUS", "ADJUSTMENT")


def tally(uow: UnitOfWork, player_id: str, currency: str, kind: str,
          period: str) -> CashbackTally:
    found = uow.find(tally_key(player_id, currency, kind, period))
    return found or uow.add(CashbackTally(player_id, currency, kind, period))


@dataclass(frozen=True)
class CountCashbackPlay:
    kind: ClassVar[str] = "cashback-count"
    request_id: ClassVar[None] = None
    bet_id: str
    settlement_version: int

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> PlayCounted:
        bet = uow.find(UUID(self.bet_id))
        counted = is_current_play(bet, self.settlement_version)
        if counted:
            key = play_key(self.bet_id, self.settlement_version)
            for kind in uow.rules.cashback.tallied_kinds:
                tally(uow, bet.player_id, bet.currency, kind,
                      period_key(kind, bet.settled_at)).count(
                    key, bet.category, bet.stake, bet.payout)
        return PlayCounted(self.bet_id, counted)


@dataclass(frozen=True)
class UncountCashbackPlay:
    """A refund or rollback of a settlement: its play no longer counts."""

    kind: ClassVar[str] = "cashback-uncount"
    request_id: ClassVar[None] = None
    bet_id: str
    settlement_version: int
    settled_at: datetime

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> PlayUncounted:
        bet = uow.find(UUID(self.bet_id))
        key = play_key(self.bet_id, self.settlement_version)
        for kind in uow.rules.cashback.tallied_kinds:
            found = uow.find(tally_key(bet.player_id, bet.currency, kind,
                                       period_key(kind, self.settled_at)))
            if found is not None:
                found.uncount(key)
        return PlayUncounted(self.bet_id)


@dataclass(frozen=True)
class CountBonusReceived:
    kind: ClassVar[str] = "cashback-bonus"
    request_id: ClassVar[None] = None
    key: str
    player_id: str
    currency: str
    amount: Decimal
    received_at: datetime

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> BonusCounted:
        for kind in uow.rules.cashback.tallied_kinds:
            tally(uow, self.player_id, self.currency, kind,
                  period_key(kind, self.received_at)).count_bonus(self.key, self.amount)
        return BonusCounted(self.key)


@command_result("cashback-play-counted")
@dataclass(frozen=True)
class PlayCounted:
    bet_id: str
    counted: bool  # False: not the bet's current settlement


@command_result("cashback-play-uncounted")
@dataclass(frozen=True)
class PlayUncounted:
    bet_id: str


@command_result("cashback-bonus-counted")
@dataclass(frozen=True)
class BonusCounted:
    key: str
