"""A player's own views: balances, the ledger statement, bet history and VIP status."""

from __future__ import annotations

from typing import Annotated

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends, Query

from api.http.schemas.bets import BET_AMOUNTS, BetPage, BetPublic
from api.http.deps import ServicesDep, consistent, ledger_cursor, player_reader
from api.http.readers import figures
from api.http.schemas.players import VipPublic
from api.http.schemas.common import (
    PathId,
    BALANCE_AMOUNTS,
    ENTRY_AMOUNTS,
    BalancePublic,
    BalancesPublic,
    LedgerCursor,
    LedgerEntryPublic,
    LedgerPage,
)
from api.http.strict_json import StrictJsonRoute
from domain.players.model import Player, player_key
from domain.players.commands import vip_status
from projections.betting.bets import cursor_of

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/players", tags=["players"])


# Access is checked before the (bounded) wait for the views.
@router.get("/{player_id}/balances", response_model=BalancesPublic,
            dependencies=[Depends(player_reader), consistent("balances")])
def balances(player_id: PathId, services: ServicesDep) -> BalancesPublic:
    currencies = services.ledger.currencies
    rows = services.balances.for_player(player_id)
    return BalancesPublic(player_id=player_id, balances=[
        BalancePublic.model_validate(currencies.at_precision(r, BALANCE_AMOUNTS))
        for r in rows])


@router.get("/{player_id}/ledger", response_model=LedgerPage,
            dependencies=[Depends(player_reader), consistent("ledger_entries")])
def ledger(player_id: PathId, services: ServicesDep,
           currency: str | None = None, cursor: LedgerCursor = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> LedgerPage:
    """Entries newest first; pass `nextCursor` back as `cursor` for the next page."""
    rows = services.ledger_entries.page(player_id, currency=currency,
                                        before=ledger_cursor(cursor), limit=limit)
    next_cursor = f"{rows[-1]['position']}-{rows[-1]['leg']}" if len(rows) == limit else None
    currencies = services.ledger.currencies
    return LedgerPage(entries=[
        LedgerEntryPublic.model_validate(currencies.at_precision(r, ENTRY_AMOUNTS))
        for r in rows], next_cursor=next_cursor)


@router.get("/{player_id}/bets", response_model=BetPage,
            dependencies=[Depends(player_reader), consistent("bets")])
def bets(player_id: PathId, services: ServicesDep, cursor: LedgerCursor = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> BetPage:
    """Bets newest placement first; pass `nextCursor` back as `cursor` for the next page."""
    rows = services.bets.page(player_id, before=ledger_cursor(cursor), limit=limit)
    next_cursor = "-".join(map(str, cursor_of(rows[-1]))) if len(rows) == limit else None
    currencies = services.ledger.currencies
    return BetPage(bets=[BetPublic.model_validate(currencies.at_precision(r, BET_AMOUNTS))
                         for r in rows], next_cursor=next_cursor)


# Read from the player's own record, which is current the moment a command
# returns: there is no view to wait for, so no X-Min-Position.
@router.get("/{player_id}/vip", response_model=VipPublic,
            dependencies=[Depends(player_reader)])
def vip(player_id: PathId, services: ServicesDep) -> VipPublic:
    """Level, rank (0 at the bottom), XP (USD wagered) and what the next level needs."""
    ledger = services.ledger
    try:
        player = ledger.repository.get(player_key(player_id))
    except AggregateNotFoundError:  # never seen: as the domain would register them
        player = Player(player_id, level=ledger.rules.ladder.names[0])
    return VipPublic.model_validate(figures(vip_status(player, ledger.rules.ladder)))


