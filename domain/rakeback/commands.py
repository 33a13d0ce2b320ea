"""Rakeback commands: accrue from a settled bet, claw back, unlock a period, claim.

Rakeback per bet (seed 002): GGR = wager x (100 - RTP) / 100, less the
provider-game commission when that switch is on; rakeback = GGR x the loyalty
percent of the player's VIP level at settlement, rounded down to the currency's
precision (the house keeps the sub-unit remainder); split 10/20/30/40 into the
INSTANT, DAILY, WEEKLY and MONTHLY buckets by largest remainder, so the four
parts always sum to the total (leftover units go to the later buckets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.betting.model import SETTLED, Bet
from domain.kernel.errors import Conflict, InvalidInput, NotFound
from domain.rakeback.flip import seed_hash, server_seed
from domain.kernel.money import ZERO
from domain.kernel.periods import is_period, period_key
from domain.rakeback.model import PERIOD_KIND, RakebackAccount, rakeback_key
from domain.commanding.callers import PlayersOwn
from domain.commanding.request import request_key
from domain.rules import BUCKETS, Rules
from domain.kernel.splits import ratio_split
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork

HUNDRED = Decimal(100)


@command_result("rakeback-accrued")
@dataclass(frozen=True)
class RakebackAccrued:
    """What one accrual added per bucket, and in which periods (a clawback
    takes back exactly this). Nothing accrued: no parts."""

    bet_id: str
    accrued: Decimal
    parts: dict[str, Decimal] = field(default_factory=dict)
    periods: dict[str, str] = field(default_factory=dict)


@command_result("rakeback-unlocked")
@dataclass(frozen=True)
class RakebackUnlocked:
    player_id: str
    currency: str
    bucket: str
    period: str


@command_result("rakeback-clawed-back")
@dataclass(frozen=True)
class RakebackClawedBack:
    bet_id: str


@dataclass(frozen=True)
class RakebackClaim:
    """One currency's part of a claim: the claimable amount, what was paid, and
    the double-or-nothing flip (None without one)."""

    currency: str
    amount: Decimal
    payout: Decimal
    flip: dict[str, Any] | None


@command_result("rakeback-claimed")
@dataclass(frozen=True)
class RakebackClaimed:
    player_id: str
    bucket: str
    doubled: bool
    claims: tuple[RakebackClaim, ...]


def rakeback_of(bet: Bet, rules: Rules) -> tuple[dict[str, Decimal], dict[str, Any]]:
    """A settled bet's rakeback per bucket, and the figures it was computed from."""
    policy = rules.rakeback
    quantum = rules.currencies.get(bet.currency).quantum
    ggr = bet.stake * (HUNDRED - bet.rtp) / HUNDRED
    base = ggr
    if policy.provider_commission and not bet.house_game:
        base = ggr * (1 - policy.provider_commission_rate)
    level = bet.settled_level or rules.ladder.names[0]
    percent = policy.loyalty.get(level, ZERO)
    total = (base * percent).quantize(quantum, rounding=ROUND_DOWN)
    parts = dict(zip(BUCKETS, ratio_split(total, list(policy.split.values()), quantum)))
    basis = {"wager": bet.stake, "rtp": bet.rtp, "ggr": ggr, "base": base,
             "level": level, "percent": percent, "total": total}
    return parts, basis


def periods_of(bet: Bet) -> dict[str, str]:
    """The period each bucket's share accrues in: that of the settlement."""
    return {bucket: period_key(kind, bet.settled_at) for bucket, kind in PERIOD_KIND.items()}


def settled_bet(uow: UnitOfWork, bet_id: str) -> Bet:
    bet = uow.find(UUID(bet_id))
    if not isinstance(bet, Bet):
        raise NotFound(f"no bet {bet_id}", field="betId")
    return bet


def account(uow: UnitOfWork, player_id: str, currency: str) -> RakebackAccount:
    """The player's rakeback account in this currency, opened (seed 0 committed) if new."""
    found = uow.find(rakeback_key(player_id, currency))
    if found is not None:
        return found
    seed = server_seed(uow.rules.rakeback.flip_secret, f"{player_id}:{currency}", 0)
    return uow.add(RakebackAccount(player_id, currency, server_seed_hash=seed_hash(seed)))


@dataclass(frozen=True)
class AccrueRakeback:
    """Accrue a settled bet's rakeback; its requestId makes it happen once."""

    kind: ClassVar[str] = "rakeback-accrual"
    # A bet with no rakeback (RTP 100, level Wood, VOID) appends nothing at all.
    quiet_when_unchanged: ClassVar[bool] = True
    request_id: str
    bet_id: str

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> RakebackAccrued:
        bet = settled_bet(uow, self.bet_id)
        if bet.status != SETTLED or bet.outcome == "VOID":
            return RakebackAccrued(self.bet_id, ZERO)
        parts, basis = rakeback_of(bet, uow.rules)
        periods = periods_of(bet)
        if basis["total"] > 0:
            account(uow, bet.player_id, bet.currency).accrue(
                bet_id=self.bet_id, parts=parts, periods=periods, basis=basis)
        # What was accrued, so that a clawback can reverse exactly this.
        return RakebackAccrued(self.bet_id, basis["total"], parts, periods)


@dataclass(frozen=True)
class ClawBackRakeback:
    """Take back what one accrual of a bet added (the `refund_clawback` switch).

    `accrual_request_id` names the AccrueRakeback it reverses: the figures come
    from that accrual's record, never from the bet's state now, which may have
    moved on (rolled back, settled again). No such accrual: nothing to take.
    """

    kind: ClassVar[str] = "rakeback-clawback"
    request_id: str
    bet_id: str
    accrual_request_id: str

    @property
    def partition(self) -> str:
        return f"bet:{self.bet_id}"

    def decide(self, uow: UnitOfWork) -> RakebackClawedBack:
        bet = settled_bet(uow, self.bet_id)
        accrual = uow.find(request_key(AccrueRakeback.kind, self.accrual_request_id))
        found = uow.find(rakeback_key(bet.player_id, bet.currency))
        accrued = accrual.outcome if accrual is not None else None
        if accrued is not None and found is not None and accrued.parts:
            found.claw_back(bet_id=self.bet_id, parts=accrued.parts,
                            periods=accrued.periods)
        return RakebackClawedBack(self.bet_id)


@dataclass(frozen=True)
class UnlockRakeback:
    """Make one account's bucket claimable for a period; a repeat does nothing."""

    kind: ClassVar[str] = "rakeback-unlock"
    request_id: ClassVar[None] = None
    player_id: str
    currency: str
    bucket: str
    period: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> RakebackUnlocked:
        if self.bucket not in PERIOD_KIND:
            raise InvalidInput(f"bucket: {self.bucket!r} is not unlocked by period",
                               field="bucket")
        if not is_period(PERIOD_KIND[self.bucket], self.period):
            raise InvalidInput(f"period: {self.period!r} is not a {PERIOD_KIND[self.bucket]} "
                               f"(a {self.bucket} period)", field="period")
        found = uow.find(rakeback_key(self.player_id, self.currency))
        if found is not None:
            found.unlock(self.bucket, self.period, uow.rules.rakeback.unclaimed)
        return RakebackUnlocked(self.player_id, self.currency, self.bucket, self.period)


@dataclass(frozen=True)
class ClaimRakeback(PlayersOwn):
    """Pay every currency's claimable amount of one bucket, each its own credit."""

    kind: ClassVar[str] = "rakeback-claim"
    request_id: str
    player_id: str
    bucket: str
    double: bool
    client_seed: str

    def decide(self, uow: UnitOfWork) -> RakebackClaimed:
        if self.bucket not in BUCKETS:
            raise InvalidInput(f"type: {self.bucket!r} is not one of {BUCKETS}",
                               field="type")
        # INSTANT can never be doubled: the flag is ignored, as the source does.
        doubled = self.double and self.bucket != "INSTANT"
        claims = tuple(self._claim(uow, found, doubled) for found in self._accounts(uow))
        if not claims:
            raise Conflict(f"nothing to claim in the {self.bucket} bucket")
        return RakebackClaimed(self.player_id, self.bucket, doubled, claims)

    def _accounts(self, uow: UnitOfWork) -> list[RakebackAccount]:
        found = (uow.find(rakeback_key(self.player_id, c.code)) for c in uow.currencies)
        return [a for a in found if a is not None and a.claimable[self.bucket] > 0]

    def _claim(self, uow: UnitOfWork, found: RakebackAccount, doubled: bool,
               ) -> RakebackClaim:
        policy = uow.rules.rakeback
        flip = found.next_flip(policy.flip_secret, self.client_seed) if doubled else None
        amount = found.claimable[self.bucket]
        payout = found.claim(self.bucket, request_id=self.request_id, flip=flip,
                             double_rtp=policy.double_rtp,
                             quantum=uow.currencies.get(found.currency).quantum,
                             secret=policy.flip_secret)
        if payout:
            uow.wallet(self.player_id, found.currency, self.request_id).credit(
                payout, balance="cash", tag="RAKEBACK", request_id=self.request_id,
                reference=f"rakeback:{self.bucket}:{self.request_id}")
        return RakebackClaim(found.currency, amount, payout,
                             flip.record() if flip else None)
