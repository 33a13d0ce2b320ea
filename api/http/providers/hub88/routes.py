"""Hub88's Operator Wallet API, mounted under CASINO_LEDGER_HUB88_PREFIX.

Every call answers HTTP 200 with a Hub88 status: the signature is checked on
the raw body before anything is parsed, the body is read as Hub88 documents
it, the session token names the player and currency, and the call becomes one
ledger command (domain/betting/transactions.py). The balance shown is the
player's free cash plus free bonus from the write side, so it is never behind.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.bootstrap import Services
from api.config.settings import Settings
from api.http.providers.hub88 import wire
from api.http.providers.hub88.signature import load_public_key, verifies
from api.http.providers.sessions import GameSession, InvalidSession
from domain.betting.transactions import (
    BetInRound,
    RollbackTransaction,
    WinInRound,
)
from domain.kernel.errors import DomainError
from domain.kernel.money import ZERO

PROVIDER = "hub88"  # the provider of Hub88's bets in the ledger (Bet.provider)


class Refused(Exception):
    def __init__(self, status: str, session: GameSession | None = None):
        super().__init__(status)
        self.status = status
        self.session = session


def build_router(settings: Settings) -> APIRouter:
    """The five calls, verified with Hub88's key from `settings`."""
    assert settings.hub88_public_key is not None
    key = load_public_key(settings.hub88_public_key)
    router = APIRouter(prefix=settings.hub88_prefix, tags=["hub88"], include_in_schema=False)
    for path, handler in (("/user/info", user_info), ("/user/balance", balance),
                          ("/transaction/bet", bet), ("/transaction/win", win),
                          ("/transaction/rollback", rollback)):
        router.add_api_route(path, endpoint(key, handler), methods=["POST"])
    return router


Handler = Callable[[Services, bytes], dict[str, Any]]


def endpoint(key: RSAPublicKey, handler: Handler):
    async def call(request: Request) -> JSONResponse:
        raw = await request.body()
        if not verifies(key, raw, request.headers.get("X-Hub88-Signature")):
            return JSONResponse(echo(raw) | {"status": wire.INVALID_SIGNATURE})
        services = request.app.state.services
        return JSONResponse(await run_in_threadpool(answer, services, handler, raw))
    return call


def answer(services: Services, handler: Handler, raw: bytes) -> dict[str, Any]:
    """The handler's answer, or the status of why it refused."""
    try:
        return echo(raw) | {"status": wire.OK} | handler(services, raw)
    except wire.Malformed as error:
        return echo(raw) | {"status": error.status}
    except Refused as error:
        return echo(raw) | {"status": error.status} | wallet_of(services, error.session)


def echo(raw: bytes) -> dict[str, Any]:
    """The request_uuid and user Hub88 sent, answered back as the docs require."""
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: body[k] for k in ("user", "request_uuid") if isinstance(body.get(k), str)}


def user_info(services: Services, raw: bytes) -> dict[str, Any]:
    wire.parse(wire.UserIn, raw)
    return {}


def balance(services: Services, raw: bytes) -> dict[str, Any]:
    session = session_of(services, wire.parse(wire.SessionIn, raw), live=True)
    return wallet_of(services, session)


def bet(services: Services, raw: bytes) -> dict[str, Any]:
    body = wire.parse(wire.BetIn, raw)
    session = session_of(services, body, live=True, currency=body.currency)
    if body.is_free:  # the provider pays a free round's stake: nothing to hold
        return wallet_of(services, session)
    return figures(run(services, session, BetInRound(
        request_id=body.transaction_uuid, provider=PROVIDER, player_id=session.player_id,
        round_id=body.round, currency=body.currency, game_id=body.game_code,
        stake=wire.amount_of(body.amount), close=body.round_closed)))


def win(services: Services, raw: bytes) -> dict[str, Any]:
    body = wire.parse(wire.WinIn, raw)
    session = session_of(services, body, live=False, currency=body.currency)
    return figures(run(services, session, WinInRound(
        request_id=body.transaction_uuid, provider=PROVIDER, player_id=session.player_id,
        round_id=body.round, currency=body.currency, game_id=body.game_code,
        amount=wire.amount_of(body.amount),
        bet_transaction=body.reference_transaction_uuid or "",
        free=body.is_free or body.reward_uuid is not None, close=body.round_closed)))


def rollback(services: Services, raw: bytes) -> dict[str, Any]:
    body = wire.parse(wire.RollbackIn, raw)
    session = session_of(services, body, live=False)
    result = run(services, session, RollbackTransaction(
        request_id=body.transaction_uuid, provider=PROVIDER, player_id=session.player_id,
        round_id=body.round, currency=session.currency,
        transaction=body.reference_transaction_uuid))
    if not result.found:  # recorded all the same: the late bet will be refused
        return figures(result) | {"status": wire.DOES_NOT_EXIST}
    return figures(result)


def run(services: Services, session: GameSession, command: Any) -> Any:
    """Execute; the typed result (the first one, for a repeated transaction)."""
    try:
        return services.ledger.execute(command).result
    except DomainError as error:
        raise Refused(wire.status_of(error), session) from None


def figures(result: Any) -> dict[str, Any]:
    """A command's result as Hub88 reads it: the currency and the balance after."""
    return {"currency": result.currency, "balance": wire.units_of(result.balance_after)}


def session_of(services: Services, body: wire.SessionIn, *, live: bool,
               currency: str | None = None) -> GameSession:
    """The session the token names; bets and balances need it unexpired."""
    try:
        session = services.game_sessions.read(body.token)
    except InvalidSession:
        raise Refused(wire.INVALID_TOKEN) from None
    if session.player_id != body.user:
        raise Refused(wire.INVALID_TOKEN)
    if live and session.expired:
        raise Refused(wire.TOKEN_EXPIRED, session)
    if currency is not None and currency != session.currency:
        raise Refused(wire.WRONG_CURRENCY, session)
    return session


def wallet_of(services: Services, session: GameSession | None) -> dict[str, Any]:
    """The session's currency and the player's balance in it, now."""
    if session is None:
        return {}
    wallet = services.ledger.wallet(session.player_id, session.currency)
    free = wallet.available + wallet.bonus_available if wallet is not None else ZERO
    return {"currency": session.currency, "balance": wire.units_of(free)}
