"""Compliance commands on a player: KYC status, limit profile, country,
responsible-gaming limits, time-outs and review holds.

Settings are PUT-like (the same value again records nothing; no requestId),
except a KYC provider's webhook, keyed by the provider's event id, and a
time-out, keyed by the caller's requestId (taking one twice must not stack).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from domain.bonus.commands import convert
from domain.bonus.model import book_key
from domain.commanding.callers import PlayersOwn
from domain.commanding.unit_of_work import UnitOfWork
from domain.compliance import standing
from domain.compliance.results import Standing, standing_of
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput


@dataclass(frozen=True)
class OnPlayer:
    request_id: ClassVar[str | None] = None
    player_id: str
    actor: str

    @property
    def partition(self) -> str:
        return self.player_id


@dataclass(frozen=True)
class SetKycStatus(OnPlayer):
    kind: ClassVar[str] = "kyc-status"
    status: str
    evidence: str

    def decide(self, uow: UnitOfWork) -> Standing:
        player = uow.player(self.player_id)
        standing.set_kyc(player, self.status, evidence=self.evidence, source=self.actor)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class KycWebhook:
    """A KYC provider's verified event: its event id makes a replay harmless."""

    request_id: str  # the provider's event id
    provider: str
    player_id: str
    status: str
    evidence: str

    @property
    def kind(self) -> str:
        return f"kyc-webhook:{self.provider}"

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> Standing:
        player = uow.player(self.player_id)
        standing.set_kyc(player, self.status, evidence=self.evidence,
                         source=f"provider:{self.provider}",
                         provider_event_id=self.request_id)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class SetProfile(OnPlayer):
    kind: ClassVar[str] = "limit-profile"
    profile: str | None
    country: str | None
    reason: str

    def decide(self, uow: UnitOfWork) -> Standing:
        rules = uow.rules.compliance
        if self.profile is not None and self.profile not in rules.profiles:
            raise InvalidInput(f"profile: {self.profile!r} is not one of "
                               f"{sorted(rules.profiles)}", field="profile")
        player = uow.player(self.player_id)
        changed = (self.profile, self.country) != (player.profile, player.country)
        if changed and not self.reason.strip():
            raise InvalidInput("reason: must not be empty", field="reason")
        if self.profile != player.profile:
            player._profile_set(self.profile, self.actor, self.reason)
        if self.country != player.country:
            player._country_set(self.country, self.actor)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class SetRgLimit(OnPlayer):
    kind: ClassVar[str] = "rg-limit"
    limit_kind: str
    period: str
    currency: str
    amount: Decimal | None

    def decide(self, uow: UnitOfWork) -> Standing:
        key = standing.limit_key(self.limit_kind, self.period, self.currency)
        amount = (None if self.amount is None
                  else uow.currencies.check(self.amount, self.currency, "amount"))
        player = uow.player(self.player_id)
        standing.set_limit(player, key, amount, now=clock.now(),
                           cooling_off=uow.rules.compliance.cooling_off, actor=self.actor)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class TakeTimeOut(PlayersOwn):
    """The player's own break: keyed by their requestId, so a retry never stacks."""

    kind: ClassVar[str] = "time-out"
    request_id: str
    player_id: str
    hours: int
    actor: str

    def decide(self, uow: UnitOfWork) -> Standing:
        player = uow.player(self.player_id)
        standing.take_time_out(player, timedelta(hours=self.hours),
                               uow.rules.compliance.time_outs, now=clock.now(),
                               actor=self.actor)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class LiftReviewHold(OnPlayer):
    kind: ClassVar[str] = "review-hold"
    scope: str

    def decide(self, uow: UnitOfWork) -> Standing:
        player = uow.player(self.player_id)
        standing.lift_hold(player, self.scope, self.actor)
        if self.scope == "bonus":  # grants met while held are released now
            for currency in uow.currencies:
                book = uow.find(book_key(self.player_id, currency))
                for grant_id in list(book.open) if book else []:
                    grant = uow.find(UUID(grant_id))
                    if grant.met:
                        convert(uow, grant)
        return standing_of(uow.rules.compliance, player)


@dataclass(frozen=True)
class SelfExclude(OnPlayer):
    """The player excludes themselves until a time; it can be lengthened only."""

    kind: ClassVar[str] = "self-exclusion"
    until: datetime
    reason: str

    def decide(self, uow: UnitOfWork) -> Standing:
        if self.until <= clock.now():
            raise InvalidInput("until: must be in the future", field="until")
        player = uow.player(self.player_id)
        current = player.self_excluded_until
        if current is None or self.until > current:
            player.set_limits(self_excluded_until=self.until,
                              daily_loss_limits=player.daily_loss_limits,
                              actor=self.actor, reason=self.reason or "self-exclusion")
        return standing_of(uow.rules.compliance, player)
