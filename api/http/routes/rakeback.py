"""Rakeback: a player's buckets and claims, flip verification, and the back office.

A player's buckets, claims and flips are read from their rakeback accounts
(one per currency), which are current the moment a command returns; the admin
list pages the rakeback view. The rules are in domain/rakeback/ and
docs/rakeback.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Depends, HTTPException, Query, Response

from api.http.auth import Principal, Role
from api.http.deps import (
    ConsistentRead,
    CurrentPrincipal,
    ServicesDep,
    admits,
    log_position,
    own_player,
    player_reader,
    position_cursor,
    require,
)
from api.http.schemas.rakeback import (
    CLAIM_AMOUNTS,
    RAKEBACK_AMOUNTS,
    ClaimableUsdLine,
    ClaimableUsdPublic,
    FlipVerification,
    RakebackClaimCreate,
    RakebackClaimPublic,
    RakebackPage,
    RakebackPublic,
    RakebackRowPublic,
)
from api.http.readers import figures, rates_in_force
from api.http.schemas.common import ErrorPublic, FlipIdPath, PathId, PlayerIdQuery, PositionCursor
from api.http.strict_json import StrictJsonRoute
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput, NotFound
from domain.rakeback.flip import Flip
from domain.kernel.fx import in_usd
from domain.ledger import Ledger
from domain.kernel.money import ZERO
from domain.rakeback.model import PERIOD_KIND, RakebackAccount, rakeback_key
from domain.rakeback.commands import ClaimRakeback
from domain.rules import BUCKETS, CENT
from domain.kernel.periods import Period

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["rakeback"])

FLIP_AUDITORS = (Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR)


# Access (kept here: only rakeback routes have these rules).

@admits(Role.PLAYER, *FLIP_AUDITORS)
def flip_reader(flip_id: FlipIdPath, principal: CurrentPrincipal) -> Principal:
    """A player verifies their own flips; operator, compliance and regulator any."""
    if principal.role in FLIP_AUDITORS:
        return principal
    if principal.role == Role.PLAYER and parse_flip_id(flip_id)[0] == principal.subject:
        return principal
    raise HTTPException(403, f"role {principal.role} may not verify this flip")


# A player's buckets and claims.

@router.get("/players/{player_id}/rakeback", response_model=RakebackPublic,
            dependencies=[Depends(player_reader)])
def balances(player_id: PathId, services: ServicesDep) -> RakebackPublic:
    """Each currency's buckets, and when each bucket next opens (UTC)."""
    ledger = services.ledger
    currencies = [ledger.currencies.at_precision(figures_of(account), RAKEBACK_AMOUNTS)
                  for account in accounts_of(ledger, player_id)]
    return RakebackPublic.model_validate({"playerId": player_id, "currencies": currencies,
                                          "nextOpenAt": next_open_at(clock.now())})


@router.post("/players/{player_id}/rakeback/claim", response_model=RakebackClaimPublic)
def claim(player_id: PathId, body: RakebackClaimCreate, services: ServicesDep,
          response: Response, _: Annotated[Principal, own_player(
              "only the player may claim their own rakeback")],
          ) -> RakebackClaimPublic:
    """Pay one bucket in every currency; `double` flips for twice or nothing (not INSTANT).

    The flip's client seed is `clientSeed`, else the requestId. Nothing to
    claim in the bucket is a 409.
    """
    ledger = services.ledger
    outcome = ledger.execute(ClaimRakeback(
        request_id=body.request_id, player_id=player_id, bucket=body.type,
        double=body.double, client_seed=body.client_seed or body.request_id))
    log_position(response, outcome.position)
    claimed = outcome.result
    claims = [ledger.currencies.at_precision(figures(line), CLAIM_AMOUNTS) | {
        "flip": flip_public(player_id, line.currency, line.flip)} for line in claimed.claims]
    return RakebackClaimPublic.model_validate({
        "playerId": claimed.player_id, "type": claimed.bucket, "doubled": claimed.doubled,
        "claims": claims, "position": outcome.position})


@router.get("/rakeback/flips/{flip_id}/verify", response_model=FlipVerification,
            dependencies=[Depends(flip_reader)], responses={
                404: {"model": ErrorPublic, "description": "No such flip"}})
def verify(flip_id: FlipIdPath, services: ServicesDep) -> FlipVerification:
    """Recompute a flip from its recorded seeds; `honest` if the revealed server seed
    is the one committed before the flip, `matchesRecord` if the outcome is as recorded."""
    player_id, currency, nonce = parse_flip_id(flip_id)
    committed, claimed = claimed_flip(services.ledger, player_id, currency, nonce)
    return FlipVerification.model_validate(services.ledger.currencies.at_precision(
        verification(player_id, currency, committed, claimed), CLAIM_AMOUNTS))


# The back office.

@router.get("/admin/rakeback/users/{player_id}/claimable-usd",
            response_model=ClaimableUsdPublic, dependencies=[require(Role.OPERATOR)])
def claimable_usd(player_id: PathId, services: ServicesDep) -> ClaimableUsdPublic:
    """Every claimable bucket in every currency, in USD at the rates in force.

    Each line is rounded to the cent (half-even); the total is their sum.
    A currency without a rate is listed in `unpriced` and left out of the total.
    """
    ledger = services.ledger
    fx = rates_in_force(ledger)
    lines = [line for account in accounts_of(ledger, player_id)
             for line in usd_lines(account, fx.rates.get(account.currency))]
    return ClaimableUsdPublic(
        player_id=player_id, breakdown=lines, rates_set_at=fx.set_at,
        total_usd=sum((line.usd for line in lines if line.usd is not None),
                      ZERO.quantize(CENT)),
        unpriced=sorted({line.currency for line in lines if line.usd is None}))


@router.get("/admin/rakeback", response_model=RakebackPage,
            dependencies=[require(Role.OPERATOR), ConsistentRead])
def rows(services: ServicesDep,
         player_id: PlayerIdQuery = None,
         currency: str | None = None, cursor: PositionCursor = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> RakebackPage:
    """Rakeback accounts in the order they opened; pass `nextCursor` back as `cursor`."""
    found = services.rakeback.rows(player_id=player_id, currency=currency,
                                   after=position_cursor(cursor, "rakeback"), limit=limit)
    currencies = services.ledger.currencies
    return RakebackPage(rows=[RakebackRowPublic.model_validate(
        currencies.at_precision(r, RAKEBACK_AMOUNTS)) for r in found],
        next_cursor=str(found[-1]["id"]) if len(found) == limit else None)


# Reading the accounts.

def accounts_of(ledger: Ledger, player_id: str) -> list[RakebackAccount]:
    """The player's rakeback accounts, in the configured order of currencies."""
    found = []
    for currency in ledger.currencies:
        try:
            found.append(ledger.repository.get(rakeback_key(player_id, currency.code)))
        except AggregateNotFoundError:
            continue
    return found


def figures_of(account: RakebackAccount) -> dict[str, Any]:
    figures: dict[str, Any] = {"currency": account.currency,
                               "instantClaimable": account.claimable["INSTANT"]}
    for bucket in PERIOD_KIND:
        name = bucket.lower()
        figures[f"{name}Accumulated"] = account.accumulated(bucket)
        figures[f"{name}Claimable"] = account.claimable[bucket]
    return figures | {"serverSeedHash": account.server_seed_hash,
                      "nextNonce": account.seed_index}


def next_open_at(now: datetime) -> dict[str, datetime]:
    """INSTANT is open now; the others open when their current period ends."""
    return {"INSTANT": now} | {bucket: Period.containing(kind, now).end
                               for bucket, kind in PERIOD_KIND.items()}


def usd_lines(account: RakebackAccount, rate: Any) -> list[ClaimableUsdLine]:
    return [ClaimableUsdLine(currency=account.currency, bucket=bucket,
                             amount=account.claimable[bucket], rate=rate,
                             usd=None if rate is None else in_usd(
                                 account.claimable[bucket], rate))
            for bucket in BUCKETS if account.claimable[bucket] > 0]


# Flips.

def flip_id_of(player_id: str, currency: str, nonce: int) -> str:
    return f"{player_id}:{currency}:{nonce}"


def parse_flip_id(flip_id: str) -> tuple[str, str, int]:
    """`{playerId}:{currency}:{nonce}` (a player id may itself hold colons)."""
    player_id, _, rest = flip_id.rpartition(":")
    player_id, _, currency = player_id.rpartition(":")
    if not (player_id and currency and rest.isascii() and rest.isdigit()):
        raise InvalidInput(f"flipId: {flip_id!r} is not playerId:currency:nonce",
                           field="flipId")
    return player_id, currency, int(rest)


def flip_public(player_id: str, currency: str, record: dict[str, Any] | None,
                ) -> dict[str, Any] | None:
    if record is None:
        return None
    return record | {"flipId": flip_id_of(player_id, currency, record["nonce"])}


def claimed_flip(ledger: Ledger, player_id: str, currency: str, nonce: int,
                 ) -> tuple[str, Any]:
    """The Claimed event of flip `nonce`, and the seed hash committed before it:
    the account's first one when it opened, then each flip's next one."""
    committed = None
    for event in ledger.events.get(rakeback_key(player_id, currency)):
        if isinstance(event, RakebackAccount.Opened):
            committed = event.server_seed_hash
        elif isinstance(event, RakebackAccount.Claimed) and event.flip is not None:
            if event.flip["nonce"] == nonce:
                return committed, event
            committed = event.next_seed_hash
    raise NotFound(f"no flip {flip_id_of(player_id, currency, nonce)}", field="flipId")


def verification(player_id: str, currency: str, committed: str, claimed: Any,
                 ) -> dict[str, Any]:
    """The recorded flip beside the same flip recomputed from its seeds and the
    hash committed before it; a lost flip must have paid nothing."""
    record = claimed.flip
    redone = Flip(record["serverSeed"], committed, record["clientSeed"], record["nonce"])
    return {
        "flipId": flip_id_of(player_id, currency, record["nonce"]), "playerId": player_id,
        "currency": currency,
        "bucket": claimed.bucket, "requestId": claimed.request_id,
        "claimedAt": claimed.timestamp, "amount": claimed.amount, "payout": claimed.payout,
        "recorded": flip_public(player_id, currency, record),
        "committedSeedHash": committed, "recomputedDigest": redone.digest,
        "recomputedWon": redone.won, "honest": redone.honest,
        "matchesRecord": (redone.digest, redone.won, committed) == (
            record["digest"], record["won"], record["serverSeedHash"])
        and (redone.won or claimed.payout == 0)}



