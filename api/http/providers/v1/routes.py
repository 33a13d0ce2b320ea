"""The seamless wallet for game providers: place, settle, refund and roll back bets.

Every route needs a provider token and a body signed with that provider's
secret (api/http/providers/v1/signatures.py); the provider is the token's subject, and a
provider sees only its own bets. A refused bet answers 200 REJECTED (mapped
in api/http/errors.py); every other refusal is an error status. The routes
are `async`: they await the ledger's outcome on the event loop
(`Ledger.execute_async`) rather than hold a worker thread while it commits.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.http.schemas.common import PathId
from api.http.schemas.bets import (
    BET_AMOUNTS,
    BetAccepted,
    BetPlace,
    BetRefund,
    BetRefunded,
    BetRejectedPublic,
    BetRollback,
    BetRolledBack,
    BetSettled,
    RoundSettle,
    RoundSettled,
)
from api.bootstrap import Services
from api.http.deps import ServicesDep, log_position
from api.http.readers import figures
from api.http.providers.v1.signatures import SignedProvider
from api.http.strict_json import StrictJsonRoute
from domain.betting.commands import (
    BetOutcome,
    PlaceBet,
    RefundBet,
    RollbackBet,
    SettleRound,
    parse_stake,
)

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["bets"])


@router.post("/bets/place", response_model=BetAccepted | BetRejectedPublic)
async def place(body: BetPlace, services: ServicesDep, response: Response,
          provider: SignedProvider) -> BetAccepted:
    """Hold the stake: ACCEPTED with the bet id, or REJECTED with a reason (no change)."""
    ledger = services.ledger
    stake = parse_stake(ledger.currencies, body.stake.amount, body.stake.currency)
    outcome = await ledger.execute_async(PlaceBet(
        request_id=body.request_id, provider=provider.subject, player_id=body.player_id,
        game_id=body.game_id, round_id=body.round_id, currency=body.stake.currency,
        stake=stake, country=body.country))
    log_position(response, outcome.position)
    return BetAccepted.model_validate(
        bet_figures(services, outcome.result) | {"position": outcome.position})


@router.post("/rounds/settle", response_model=RoundSettled)
async def settle(body: RoundSettle, services: ServicesDep, response: Response,
           provider: SignedProvider) -> RoundSettled:
    """Settle each bet of a round (WIN pays out; LOSS keeps the stake; PUSH, VOID return it)."""
    outcome = await services.ledger.execute_async(SettleRound(
        request_id=body.request_id, provider=provider.subject, round_id=body.round_id,
        bets=tuple(BetOutcome(b.bet_id, b.outcome, b.payout) for b in body.bets)))
    log_position(response, outcome.position)
    return RoundSettled(round_id=outcome.result.round_id, position=outcome.position,
                        bets=[BetSettled.model_validate(bet_figures(services, b))
                              for b in outcome.result.bets])


@router.post("/bets/{bet_id}/refund", response_model=BetRefunded)
async def refund(bet_id: PathId, body: BetRefund, services: ServicesDep, response: Response,
           provider: SignedProvider) -> BetRefunded:
    """Give the stake back: an open bet's hold is released, a lost bet's stake returned."""
    outcome = await services.ledger.execute_async(RefundBet(
        request_id=body.request_id, provider=provider.subject, bet_id=bet_id,
        reason=body.reason))
    log_position(response, outcome.position)
    return BetRefunded.model_validate(
        bet_figures(services, outcome.result) | {"position": outcome.position})


@router.post("/bets/{bet_id}/rollback", response_model=BetRolledBack)
async def rollback(bet_id: PathId, body: BetRollback, services: ServicesDep, response: Response,
             provider: SignedProvider) -> BetRolledBack:
    """Undo the last step: a settlement (the bet is open again) or the placement."""
    outcome = await services.ledger.execute_async(RollbackBet(
        request_id=body.request_id, provider=provider.subject, bet_id=bet_id))
    log_position(response, outcome.position)
    return BetRolledBack.model_validate(
        bet_figures(services, outcome.result) | {"position": outcome.position})


def bet_figures(services: Services, result: Any) -> dict[str, Any]:
    """A command's result for one bet as schema fields, at its currency's precision."""
    return services.ledger.currencies.at_precision(figures(result), BET_AMOUNTS)
