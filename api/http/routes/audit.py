"""Regulators and compliance: what the ledger looked like at any past instant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.http.schemas.audit import HistoricBalancePublic, HistoricBalancesPublic
from api.http.auth import Role
from api.http.deps import ServicesDep, require
from api.http.schemas.common import BALANCE_AMOUNTS, INSTANT_QUERY, PathId
from api.http.strict_json import StrictJsonRoute
from domain.kernel.clock import parse_instant
from projections.audit.history import balances_as_of

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/audit", tags=["audit"])


# Computed from the events themselves; the audit chain (caught up here) only says
# where the log as of `at` ends.
@router.get("/players/{player_id}/balances", response_model=HistoricBalancesPublic,
            dependencies=[require(Role.REGULATOR, Role.COMPLIANCE)])
def balances(player_id: PathId, at: Annotated[str, Query(json_schema_extra=INSTANT_QUERY)],
             services: ServicesDep) -> HistoricBalancesPublic:
    """Each wallet's cash, bonus and locked amounts as of `at` (ISO-8601 with a time
    zone, not in the future), replayed from the wallet's own events, and the log
    position of the player's last wallet event in the log as of `at` (the longest
    prefix of the log stamped at or before it)."""
    ledger = services.ledger
    found = balances_as_of(ledger, services.projections, player_id, parse_instant(at))
    wallets = [HistoricBalancePublic.model_validate(
        ledger.currencies.at_precision(wallet, BALANCE_AMOUNTS))
        for wallet in found["balances"]]
    return HistoricBalancesPublic(player_id=player_id, at=found["at"],
                                  position=found["position"],
                                  log_position=found["logPosition"], balances=wallets)
