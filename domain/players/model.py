"""Player: responsible-gaming limits, today's net loss, and VIP progress.

Bets read it before they are accepted (self-exclusion, daily loss limit);
settlements add XP and today's net loss to it. The UTC day of a play is the
day of its event, so the loss limit resets at 00:00 UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.compliance import standing, tallies
from domain.brands.model import DEFAULT_BRAND
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import InvalidInput
from domain.kernel.ids import natural_id
from domain.kernel.money import ZERO
from domain.players.vip import VipLadder


class BetRejected(InvalidInput):
    """A bet refused by a rule; the reason is a stable code for the provider."""

    code = "bet_rejected"

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class Player(LedgerAggregate):
    @staticmethod
    def create_id(player_id: str, **_: Any) -> UUID:
        return player_key(player_id)

    @event("Registered")
    def __init__(self, player_id: str, level: str):
        self.player_id = player_id
        self.level = level
        self.brand = DEFAULT_BRAND  # until it joins another, for good (domain/brands)
        self.xp = ZERO
        self.self_excluded_until: datetime | None = None
        self.daily_loss_limits: dict[str, Decimal] = {}
        self.loss_day: date | None = None
        self.day_loss: dict[str, Decimal] = {}
        # Compliance (domain/compliance/standing.py): what bets and cashier checks read.
        self.kyc, self.kyc_evidence = "none", ""
        self.profile: str | None = None
        self.country: str | None = None
        self.timeout_until: datetime | None = None
        self.rg_limits: dict[str, Decimal] = {}
        self.rg_pending: dict[str, list[Any]] = {}
        self.tallies: dict[str, Any] = {}
        self.review_holds: dict[str, list[str]] = {}

    # Queries

    def net_loss_on(self, day: date, currency: str) -> Decimal:
        return self.day_loss.get(currency, ZERO) if day == self.loss_day else ZERO

    def check_may_bet(self, currency: str, stake: Decimal, open_stakes: Decimal,
                      now: datetime) -> None:
        """Refuse a bet that self-exclusion or the daily loss limit forbids."""
        if self.self_excluded_until and now < self.self_excluded_until:
            raise BetRejected("SELF_EXCLUDED", "the player is self-excluded until "
                              f"{self.self_excluded_until.isoformat()}")
        limit = self.daily_loss_limits.get(currency)
        if limit is None:
            return
        worst = self.net_loss_on(now.date(), currency) + open_stakes + stake
        if worst > limit:
            raise BetRejected("DAILY_LOSS_LIMIT", f"the bet could take today's net "
                              f"loss to {worst} {currency}, over the limit of {limit}")

    # Commands

    def set_limits(self, *, self_excluded_until: datetime | None,
                   daily_loss_limits: dict[str, Decimal], actor: str, reason: str) -> None:
        if self_excluded_until is not None and self_excluded_until.tzinfo is None:
            raise InvalidInput("selfExcludedUntil: must carry a time zone",
                               field="selfExcludedUntil")
        if any(limit < 0 for limit in daily_loss_limits.values()):
            raise InvalidInput("dailyLossLimits: must not be negative",
                               field="dailyLossLimits")
        self._limits_set(self_excluded_until, daily_loss_limits, actor, reason)

    def record_play(self, *, bet_id: str, currency: str, net_loss: Decimal,
                    xp: Decimal, ladder: VipLadder, stake: Decimal = ZERO) -> None:
        """A settled bet: its net loss counts today, its stake (USD) as XP."""
        self._played(bet_id, currency, net_loss, xp, stake)
        reached = ladder.level_for(self.xp)
        if ladder.rank(reached) > ladder.rank(self.level):
            self._level_changed(reached, self.level, "XP", "")

    def reverse_play(self, *, bet_id: str, currency: str, net_loss: Decimal,
                     played_at: datetime, stake: Decimal = ZERO) -> None:
        """A settled bet refunded or rolled back no longer counts on its day.

        Only a play of the same UTC day comes off today's loss: refunding
        yesterday's loss gives no extra room under today's limit. XP is not
        taken back: it measures play, and the level never drops by itself.
        """
        self._play_undone(bet_id, currency, net_loss, played_at, stake)

    def join(self, brand: str) -> None:
        """A new player's brand, other than the default (domain/brands/model.py)."""
        if brand != self.brand:
            self._brand_joined(self.player_id, brand)

    def set_level(self, level: str, *, ladder: VipLadder, actor: str, reason: str) -> None:
        if level not in ladder.names:
            raise InvalidInput(f"level: {level!r} is not one of {ladder.names}",
                               field="level")
        if not reason.strip():
            raise InvalidInput("reason: must not be empty", field="reason")
        if level != self.level:
            self._level_changed(level, self.level, "MANUAL", f"{actor}: {reason}")

    # Events

    @event("LimitsSet")
    def _limits_set(self, self_excluded_until: datetime | None,
                    daily_loss_limits: dict[str, Decimal], actor: str, reason: str) -> None:
        self.self_excluded_until = self_excluded_until
        self.daily_loss_limits = dict(daily_loss_limits)

    # A play's events: PlayRecorded and PlayReversed as stored before stakes
    # were counted (issue 18; their payloads stay as they were, so the public
    # hash chain of old events does not change), Played and PlayUndone since.
    # `timestamp` is the event's own (stamped when triggered), so a replay puts
    # the play on the same UTC day.

    @event("PlayRecorded")
    def _play_recorded(self, bet_id: str, currency: str, net_loss: Decimal, xp: Decimal,
                       timestamp: datetime | None = None) -> None:
        self._count_play(timestamp, currency, net_loss, xp, ZERO)

    @event("Played")
    def _played(self, bet_id: str, currency: str, net_loss: Decimal, xp: Decimal,
                stake: Decimal, timestamp: datetime | None = None) -> None:
        self._count_play(timestamp, currency, net_loss, xp, stake)

    @event("PlayReversed")
    def _play_reversed(self, bet_id: str, currency: str, net_loss: Decimal,
                       played_at: datetime, timestamp: datetime | None = None) -> None:
        self._uncount_play(timestamp, played_at, currency, net_loss, ZERO)

    @event("PlayUndone")
    def _play_undone(self, bet_id: str, currency: str, net_loss: Decimal,
                     played_at: datetime, stake: Decimal,
                     timestamp: datetime | None = None) -> None:
        self._uncount_play(timestamp, played_at, currency, net_loss, stake)

    def _count_play(self, at: datetime | None, currency: str, net_loss: Decimal,
                    xp: Decimal, stake: Decimal) -> None:
        assert at is not None
        self._add_loss(at.date(), currency, net_loss)
        self.xp += xp
        tallies.add(self.tallies, "loss", at, currency, net_loss)
        tallies.add(self.tallies, "wager", at, currency, stake)

    def _uncount_play(self, at: datetime | None, played_at: datetime, currency: str,
                      net_loss: Decimal, stake: Decimal) -> None:
        assert at is not None
        if played_at.date() == at.date():
            self._add_loss(at.date(), currency, -net_loss)
        tallies.take_back(self.tallies, "loss", at, played_at, currency, net_loss)
        tallies.take_back(self.tallies, "wager", at, played_at, currency, stake)

    @event("BrandJoined")
    def _brand_joined(self, player_id: str, brand: str) -> None:
        self.brand = brand

    @event("LevelChanged")
    def _level_changed(self, level: str, previous: str, cause: str, note: str) -> None:
        self.level = level

    # Compliance events: the rules are in domain/compliance/standing.py.

    @event("KycStatusSet")
    def _kyc_status_set(self, status: str, evidence: str, source: str,
                        provider_event_id: str) -> None:
        self.kyc, self.kyc_evidence = status, evidence

    @event("ProfileSet")
    def _profile_set(self, profile: str | None, actor: str, reason: str) -> None:
        self.profile = profile

    @event("CountrySet")
    def _country_set(self, country: str | None, actor: str) -> None:
        self.country = country

    @event("RgLimitSet")
    def _rg_limit_set(self, limit: str, amount: Decimal | None, effective_at: datetime,
                      actor: str, timestamp: datetime | None = None) -> None:
        assert timestamp is not None
        standing.apply_limit(self, limit, amount, effective_at, timestamp)

    @event("TimeOutTaken")
    def _time_out_taken(self, until: datetime, actor: str) -> None:
        self.timeout_until = until

    @event("CashierCounted")
    def _cashier_counted(self, kind: str, currency: str, amount: Decimal,
                         reference: str, timestamp: datetime | None = None) -> None:
        assert timestamp is not None
        tallies.add(self.tallies, kind, timestamp, currency, amount)

    @event("ReviewHoldSet")
    def _review_hold_set(self, scope: str, signals: list[str], actor: str) -> None:
        if signals:
            self.review_holds[scope] = list(signals)
        else:
            self.review_holds.pop(scope, None)

    def _add_loss(self, day: date, currency: str, amount: Decimal) -> None:
        if day != self.loss_day:
            self.loss_day, self.day_loss = day, {}
        self.day_loss[currency] = self.day_loss.get(currency, ZERO) + amount


def player_key(player_id: str) -> UUID:
    return natural_id("player", player_id)
