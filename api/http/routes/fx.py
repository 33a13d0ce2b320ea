"""FX rates: USD per unit of each currency, set by finance (domain/kernel/fx.py).

The rates in force are the latest set here over the configured `usd_rates`;
each change is an event with its time and actor, read back with the rates.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.http.auth import Principal, Role
from api.http.deps import ServicesDep, log_position, require
from api.http.readers import rates_in_force
from api.http.schemas.rakeback import FxRatesPublic, FxRatesPut
from api.http.strict_json import StrictJsonRoute
from domain.kernel.fx import SetFxRates, usd_rates

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/admin/fx-rates", tags=["fx"])


@router.put("", response_model=FxRatesPublic)
def set_rates(body: FxRatesPut, services: ServicesDep, response: Response,
              principal: Principal = require(Role.FINANCE)) -> FxRatesPublic:
    """Set some currencies' USD rates; the others keep theirs.

    The same rates again record nothing.
    """
    outcome = services.ledger.execute(SetFxRates(
        rates=tuple(sorted(body.rates.items())), actor=principal.subject))
    log_position(response, outcome.position)
    return FxRatesPublic(**rates_in_force(services.ledger)._asdict(),
                         position=outcome.position)


# Read from the rates' own record, which is current the moment a PUT returns.
@router.get("", response_model=FxRatesPublic,
            dependencies=[require(Role.FINANCE, Role.OPERATOR)])
def rates(services: ServicesDep) -> FxRatesPublic:
    """The USD rates in force and when they were last changed (null: as configured)."""
    return FxRatesPublic(**rates_in_force(services.ledger)._asdict())
