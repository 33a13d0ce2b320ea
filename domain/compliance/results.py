"""What compliance commands answer: a player's standing, as of now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.commanding.results import command_result
from domain.compliance import standing
from domain.compliance.rules import ComplianceRules
from domain.kernel.clock import clock


@dataclass(frozen=True)
class LimitState:
    limit: str  # kind:period:currency
    amount: Decimal | None  # in force now (None: no limit)
    pending: Decimal | None  # waiting out the cooling-off
    pending_since: datetime | None  # when the pending change takes effect (None: none)


@command_result("compliance-standing")
@dataclass(frozen=True)
class Standing:
    player_id: str
    kyc: str
    profile: str
    country: str | None
    timeout_until: datetime | None
    self_excluded_until: datetime | None
    limits: tuple[LimitState, ...]
    review_holds: dict[str, list[str]]


def standing_of(rules: ComplianceRules, player: Any) -> Standing:
    """What a player's record says, as of now."""
    now = clock.now()
    keys = sorted(set(player.rg_limits) | set(player.rg_pending))
    limits = []
    for key in keys:
        waiting = player.rg_pending.get(key)
        ripe = waiting is not None and now >= waiting[1]
        limits.append(LimitState(
            key, standing.in_force(player, key, now),
            None if waiting is None or ripe else waiting[0],
            None if waiting is None or ripe else waiting[1]))
    return Standing(player.player_id, player.kyc,
                    rules.profile_name(player.profile, player.level, player.country),
                    player.country, player.timeout_until, player.self_excluded_until,
                    tuple(limits), dict(player.review_holds))
