"""A player's bonus grants: requirement, progress, status.

Read from the player's bonus books and grants (aggregates), which are current
the moment a command returns; wagering progress follows settlements through
the wagering follower, so send a settlement's position as X-Min-Position to
see its stake counted.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends

from api.http.schemas.common import PathId
from api.http.schemas.cashback import GRANT_AMOUNTS, BonusesPublic, BonusGrantPublic
from api.http.deps import ServicesDep, consistent, player_reader
from api.http.strict_json import StrictJsonRoute
from domain.bonus.model import BonusGrant, book_key
from domain.ledger import Ledger
from domain.kernel.money import ZERO

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1/players", tags=["bonuses"])


@router.get("/{player_id}/bonuses", response_model=BonusesPublic,
            dependencies=[Depends(player_reader), consistent("bonus_wagering", "bonus_grants")])
def bonuses(player_id: PathId, services: ServicesDep) -> BonusesPublic:
    """Every grant of the player in every currency, newest first."""
    ledger = services.ledger
    grants = [grant for currency in ledger.currencies
              for grant in grants_of(ledger, player_id, currency.code)]
    grants.sort(key=lambda g: g.created_on, reverse=True)
    return BonusesPublic(player_id=player_id, grants=[BonusGrantPublic.model_validate(
        ledger.currencies.at_precision(figures(g), GRANT_AMOUNTS)) for g in grants])


def grants_of(ledger: Ledger, player_id: str, currency: str) -> list[BonusGrant]:
    try:
        book = ledger.repository.get(book_key(player_id, currency))
    except AggregateNotFoundError:
        return []
    return [ledger.repository.get(UUID(grant_id)) for grant_id in book.grants]


def figures(grant: BonusGrant) -> dict[str, Any]:
    return {"grantId": str(grant.id), "source": grant.source, "currency": grant.currency,
            "amount": grant.amount, "requirement": grant.requirement,
            "progress": grant.progress,
            "remaining": max(grant.requirement - grant.progress, ZERO),
            "status": grant.status, "settledAmount": grant.settled_amount,
            "grantedAt": grant.created_on, "expiresAt": grant.expires_at}
