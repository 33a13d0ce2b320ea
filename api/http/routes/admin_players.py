"""Back office on a player: responsible-gaming limits (compliance) and VIP level (operator).

Both are PUTs of the whole value: the same values again record nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.http.schemas.common import PathId
from api.http.auth import Principal, Role
from api.http.deps import ServicesDep, log_position, require
from api.http.readers import figures
from api.http.schemas.players import LimitsPublic, LimitsPut, VipPublic, VipPut
from api.http.strict_json import StrictJsonRoute
from domain.players.commands import SetLimits, SetVipLevel

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/players", tags=["players"])


@router.put("/{player_id}/limits", response_model=LimitsPublic, openapi_extra={
    "x-semantic-refusals": {"reason": "blank while the limits change"}})
def set_limits(player_id: PathId, body: LimitsPut, services: ServicesDep, response: Response,
               principal: Principal = require(Role.COMPLIANCE)) -> LimitsPublic:
    """Self-exclusion (until an instant, or null) and daily loss limits per currency.

    Bets that would break them are REJECTED (SELF_EXCLUDED, DAILY_LOSS_LIMIT).
    """
    currencies = services.ledger.currencies
    limits = tuple((currency, currencies.parse(amount, currency,
                                               f"dailyLossLimits.{currency}", zero=True))
                   for currency, amount in sorted(body.daily_loss_limits.items()))
    outcome = services.ledger.execute(SetLimits(
        player_id=player_id, self_excluded_until=body.self_excluded_until,
        daily_loss_limits=limits, actor=principal.subject, reason=body.reason))
    log_position(response, outcome.position)
    return LimitsPublic.model_validate(figures(outcome.result))


@router.put("/{player_id}/vip", response_model=VipPublic)
def set_vip(player_id: PathId, body: VipPut, services: ServicesDep, response: Response,
            principal: Principal = require(Role.OPERATOR)) -> VipPublic:
    """Set a player's VIP level by hand (XP raises it by itself, never lowers it)."""
    outcome = services.ledger.execute(SetVipLevel(
        player_id=player_id, level=body.level, actor=principal.subject,
        reason=body.reason))
    log_position(response, outcome.position)
    return VipPublic.model_validate(figures(outcome.result))
