"""Bonus commands: grant bonus money with a requirement, count wagering, expire.

Wagering counts each settled bet once per settlement (WIN or LOSS; a PUSH or
VOID wagered nothing): its whole stake times the weight of its game category,
rounded down to the currency's precision, towards every grant of the player
in that currency that was open when the bet settled. A grant whose
requirement is met completes in the same command and its amount, never more
than the wallet's free bonus, moves to cash. Commands are idempotent by
natural key (a grant remembers the plays it counted; a completed or expired
grant changes no more), so they carry no requestId.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.betting.model import Bet
from domain.bonus.model import OPEN, BonusBook, BonusGrant, book_key
from domain.betting.settlement import is_current_play, play_key
from domain.kernel.clock import clock
from domain.players.model import player_key
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork


def grant_bonus(uow: UnitOfWork, *, source: str, player_id: str, currency: str,
                amount: Decimal, requirement: Decimal, tag: str,
                request_id: str) -> BonusGrant:
    """Credit `amount` to the bonus balance under a new grant with its requirement."""
    days = uow.rules.cashback.expiry_days
    expires_at = clock.now() + timedelta(days=days) if days else None
    grant = uow.add(BonusGrant(source, player_id, currency, amount, requirement, tag,
                               expires_at))
    book = uow.find(book_key(player_id, currency)) or uow.add(BonusBook(player_id, currency))
    book.add(str(grant.id))
    uow.wallet(player_id, currency, request_id).credit(
        amount, balance="bonus", tag=tag, request_id=request_id,
        reference=f"bonus:{grant.id}")
    return grant


def convert(uow: UnitOfWork, grant: BonusGrant) -> None:
    """A met grant: its amount (at most the free bonus) moves to cash; it completes."""
    wallet = uow.wallet(grant.player_id, grant.currency, f"bonus-convert:{grant.id}")
    amount = min(grant.amount, wallet.bonus_available)
    if amount > 0:
        wallet.convert_bonus(amount, grant_id=str(grant.id),
                             request_id=f"bonus-convert:{grant.id}",
                             reference=f"bonus:{grant.id}")
    grant.complete(amount)
    uow.find(book_key(grant.player_id, grant.currency)).close(str(grant.id))


def bonus_release_held(uow: UnitOfWork, player_id: str) -> bool:
    """Whether abuse signals hold the player's bonus release for review
    (domain/compliance/standing.py): a met grant then waits, open."""
    player = uow.find(player_key(player_id))
    return bool(player is not None and player.review_holds.get("bonus"))


@dataclass(frozen=True)
class WagerBonus:
    kind: ClassVar[str] = "bonus-wager"
    request_id: ClassVar[None] = None
    bet_id: str
    settlement_version: int

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> BonusWagered:
        bet = uow.find(UUID(self.bet_id))
        if not is_current_play(bet, self.settlement_version):
            return BonusWagered(self.bet_id, ())
        book = uow.find(book_key(bet.player_id, bet.currency))
        touched = []
        for grant_id in list(book.open) if book else []:
            grant = uow.find(UUID(grant_id))
            if self._count(uow, bet, grant):
                touched.append(grant_id)
        return BonusWagered(self.bet_id, tuple(touched))

    def _count(self, uow: UnitOfWork, bet: Bet, grant: BonusGrant) -> bool:
        key = play_key(self.bet_id, self.settlement_version)
        if not grant.counts(key, bet.settled_at):
            return False
        weight = uow.rules.cashback.weight(bet.category)
        quantum = uow.currencies.get(bet.currency).quantum
        grant.wager(key, bet.stake, weight,
                    (bet.stake * weight).quantize(quantum, rounding=ROUND_DOWN))
        if grant.met and not bonus_release_held(uow, bet.player_id):
            convert(uow, grant)
        return True


@dataclass(frozen=True)
class ExpireBonusGrant:
    """Forfeit what is left of a grant whose expiry is at or before `at`."""

    kind: ClassVar[str] = "bonus-expire"
    request_id: ClassVar[None] = None
    grant_id: str
    at: datetime

    @property
    def partition(self) -> str:
        return f"grant:{self.grant_id}"

    def decide(self, uow: UnitOfWork) -> BonusExpiry:
        grant = uow.find(UUID(self.grant_id))
        due = (isinstance(grant, BonusGrant) and grant.status == OPEN
               and grant.expires_at is not None and grant.expires_at <= self.at)
        if due:
            wallet = uow.wallet(grant.player_id, grant.currency, f"bonus-expire:{grant.id}")
            amount = min(grant.amount, wallet.bonus_available)
            if amount > 0:
                wallet.forfeit_bonus(amount, grant_id=self.grant_id, tag=grant.tag,
                                     request_id=f"bonus-expire:{grant.id}",
                                     reference=f"bonus:{grant.id}")
            grant.expire(amount)
            uow.find(book_key(grant.player_id, grant.currency)).close(self.grant_id)
        return BonusExpiry(self.grant_id, due)


@command_result("bonus-wagered")
@dataclass(frozen=True)
class BonusWagered:
    """The grants a settled bet counted toward."""

    bet_id: str
    grants: tuple[str, ...]


@command_result("bonus-expiry")
@dataclass(frozen=True)
class BonusExpiry:
    grant_id: str
    expired: bool

