"""Reports for the back office: profit and loss (GGR, NGR) from the P&L projection."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.http.auth import Role
from api.http.brand_scope import BrandFilter
from api.http.deps import ConsistentRead, ServicesDep, require
from api.http.schemas.reports import PnlReport, PnlRow
from api.http.strict_json import StrictJsonRoute
from domain.kernel.errors import InvalidInput

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/reports", tags=["reports"])

PNL_AMOUNTS = ("wagered", "won", "ggr", "bonusStake", "ngr")


# The role is checked before the (bounded) wait for the views.
@router.get("/pnl", response_model=PnlReport,
            dependencies=[require(Role.OPERATOR, Role.FINANCE), ConsistentRead])
def pnl(services: ServicesDep,
        day_from: Annotated[date, Query(alias="from", description="first UTC day")],
        day_to: Annotated[date, Query(alias="to", description="last UTC day, included")],
        currency: str | None = None,
        game_id: Annotated[str | None, Query(alias="gameId")] = None,
        provider: str | None = None, brand: BrandFilter = None) -> PnlReport:
    """One row per UTC day, game, provider and currency, over settled bets (of
    one brand's players with `brand`)."""
    if day_to < day_from:
        raise InvalidInput("to: must not be before from", field="to")
    rows = services.pnl.report(day_from, day_to, currency=currency, game_id=game_id,
                               provider=provider, brand=brand)
    currencies = services.ledger.currencies
    return PnlReport(rows=[PnlRow.model_validate(currencies.at_precision(r, PNL_AMOUNTS))
                           for r in rows])
