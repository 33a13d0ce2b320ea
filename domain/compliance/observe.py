"""Feed the abuse watches (domain/compliance/watch.py) one bet event at a time.

Run by the reaction projections/compliance/signals.py for each WIN, LOSS or
VOID settlement and each rollback, keyed by the bet event, so a batch reacted
to twice observes nothing twice. A signal may hold the player's withdrawals or bonus
release for review (configuration `signals.hold`), naming the signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.betting.model import Bet
from domain.betting.settlement import is_current_play
from domain.bonus.model import book_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.compliance import standing
from domain.compliance.watch import AbuseWatch, watch_key


@command_result("bet-observed")
@dataclass(frozen=True)
class Observed:
    bet_id: str
    signals: tuple[str, ...]


@dataclass(frozen=True)
class ObserveBet:
    kind: ClassVar[str] = "abuse-observe"
    request_id: str  # bet id and event version
    bet_id: str
    version: int
    void: bool  # a VOID settlement or a rollback (else a settlement to check)
    at: datetime

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> Observed:
        bet = uow.find(UUID(self.bet_id))
        rules = uow.rules.compliance.signals
        if not isinstance(bet, Bet) or not rules.enabled:
            return Observed(self.bet_id, ())
        mine = watch_of(uow, bet.player_id, "")
        raised: list[str] = []
        if self.void:
            raised += [s for s in (mine.void_seen(bet.hold_id, self.at, rules),) if s]
            watch_of(uow, "", bet.provider).void_seen(bet.hold_id, self.at, rules)
        elif is_current_play(bet, self.version):
            book = uow.find(book_key(bet.player_id, bet.currency))
            raised += mine.play_seen(bet, uow.rules.cashback.weight(bet.category),
                                     bool(book and book.open), rules)
        if raised and rules.hold:
            player = uow.player(bet.player_id)
            for scope in sorted(rules.hold):
                for signal in raised:
                    standing.hold_for_review(player, scope, signal)
        return Observed(self.bet_id, tuple(raised))


def watch_of(uow: UnitOfWork, player_id: str, provider: str) -> AbuseWatch:
    found = uow.find(watch_key(player_id, provider))
    return found if found is not None else uow.add(AbuseWatch(player_id, provider))
