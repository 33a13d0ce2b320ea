"""Deposits: a player's deposit address per currency, and their deposits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.http.schemas.common import PathId
from api.http.schemas.cashier import (
    DepositAddressCreate,
    DepositAddressPublic,
    DepositPublic,
    DepositsPublic,
)
from api.http.deps import OwnPlayer, ServicesDep, consistent, player_reader
from api.http.readers import figures
from api.http.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/players", tags=["cashier"])


@router.post("/{player_id}/deposit-address", response_model=DepositAddressPublic,
             openapi_extra={"x-semantic-refusals": {
                 "currency": "its chain takes no deposits in this deployment"}})
def deposit_address(player_id: PathId, body: DepositAddressCreate, services: ServicesDep,
                    _: OwnPlayer) -> DepositAddressPublic:
    """The player's address for the currency: the same every time; the currencies of
    one chain (ETH and its ERC-20 tokens) share it."""
    outcome = services.cashier.deposit_address(player_id, body.currency)
    return DepositAddressPublic.model_validate(figures(outcome.result))


@router.get("/{player_id}/deposits", response_model=DepositsPublic,
            dependencies=[Depends(player_reader), consistent("deposits")])
def deposits(player_id: PathId, services: ServicesDep,
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> DepositsPublic:
    """Newest first: pending (with confirmations), credited, orphaned, below minimum."""
    currencies = services.ledger.currencies
    return DepositsPublic(player_id=player_id, deposits=[
        DepositPublic.model_validate(currencies.at_precision(row, ("amount",)))
        for row in services.deposits.rows(player_id, limit)])
