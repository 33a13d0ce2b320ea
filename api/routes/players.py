"""A player's wallets: balances and the ledger statement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import ConsistentRead, ServicesDep, player_reader
from api.schemas import (
    BALANCE_AMOUNTS,
    ENTRY_AMOUNTS,
    BalancePublic,
    BalancesPublic,
    LedgerEntryPublic,
    LedgerPage,
)
from domain.errors import InvalidInput

router = APIRouter(prefix="/v1/players", tags=["players"])


# Access is checked before the (bounded) wait for the views.
@router.get("/{player_id}/balances", response_model=BalancesPublic,
            dependencies=[Depends(player_reader), ConsistentRead])
def balances(player_id: str, services: ServicesDep) -> BalancesPublic:
    currencies = services.ledger.currencies
    rows = services.balances.for_player(player_id)
    return BalancesPublic(player_id=player_id, balances=[
        BalancePublic.model_validate(currencies.at_precision(r, BALANCE_AMOUNTS))
        for r in rows])


@router.get("/{player_id}/ledger", response_model=LedgerPage,
            dependencies=[Depends(player_reader), ConsistentRead])
def ledger(player_id: str, services: ServicesDep,
           currency: str | None = None, cursor: str | None = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> LedgerPage:
    """Entries newest first; pass `nextCursor` back as `cursor` for the next page."""
    rows = services.ledger_entries.page(player_id, currency=currency,
                                        before=parse_cursor(cursor), limit=limit)
    next_cursor = f"{rows[-1]['position']}-{rows[-1]['leg']}" if len(rows) == limit else None
    currencies = services.ledger.currencies
    return LedgerPage(entries=[
        LedgerEntryPublic.model_validate(currencies.at_precision(r, ENTRY_AMOUNTS))
        for r in rows], next_cursor=next_cursor)


def parse_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    try:
        position, leg = (int(part) for part in cursor.split("-"))
    except ValueError:
        raise InvalidInput(f"cursor: {cursor!r} is not a ledger cursor",
                           field="cursor") from None
    return position, leg
