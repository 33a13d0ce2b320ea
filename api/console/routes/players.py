"""Player 360: a player's money, play, bonuses and limits on one page; a manual
adjustment (finance) and limits and self-exclusion (compliance) beside them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Form, Request, Response

from api.console.nav import ADJUST, LIMITS, PLAYERS
from api.console.reads import current, dumped
from api.console.sessions import new_id
from api.console.web import Staff, act, allowed, page, render
from api.http.routes import admin, admin_players, bonuses, cashback, deposits
from api.http.routes import players as api_players
from api.http.routes import rakeback, withdrawals
from api.http.schemas.common import AdjustmentCreate
from api.http.schemas.players import LimitsPut
from domain.kernel.errors import InvalidInput
from domain.kernel.text import check_id, is_id
from domain.players.model import player_key

router = APIRouter()
Text = Annotated[str, Form(max_length=500)]
PAGE = 20


@router.get("/players")
def player_360(request: Request, id: str = "", ledger: str | None = None,
               bets: str | None = None, staff: Staff = page(*PLAYERS.roles)) -> Response:
    if not id:
        return render(request, "players.html", staff, player=None)
    if not is_id(id):
        return render(request, "players.html", staff, player=None, status=422,
                      error=f"{id!r} is not a player id")
    services = request.app.state.services
    current(services)
    try:
        sections = read_player(services, id, ledger, bets)
    except InvalidInput as error:
        return render(request, "players.html", staff, player=None, status=422,
                      error=error.message)
    return render(request, "players.html", staff, player=id, **sections,
                  may_adjust=staff.role in ADJUST, may_limit=staff.role in LIMITS,
                  request_id=f"console-{new_id()}",
                  first=f"/console/players?{urlencode({'id': id})}")


def read_player(services, player_id: str, ledger_cursor: str | None,
                bet_cursor: str | None) -> dict:
    entries = dumped(api_players.ledger(player_id, services, currency=None,
                                        cursor=ledger_cursor, limit=PAGE))
    placed = dumped(api_players.bets(player_id, services, cursor=bet_cursor, limit=PAGE))
    return {
        "balances": dumped(api_players.balances(player_id, services))["balances"],
        "entries": entries["entries"], "bets": placed["bets"],
        "next_ledger": link(player_id, ledger=entries["nextCursor"], bets=bet_cursor),
        "next_bets": link(player_id, ledger=ledger_cursor, bets=placed["nextCursor"]),
        "vip": dumped(api_players.vip(player_id, services)),
        "grants": dumped(bonuses.bonuses(player_id, services))["grants"],
        "rakeback": dumped(rakeback.balances(player_id, services))["currencies"],
        "cashback": dumped(cashback.player_rows(player_id, services, cursor=None,
                                                limit=50))["rows"],
        "deposits": dumped(deposits.deposits(player_id, services, limit=50))["deposits"],
        "withdrawals": dumped(withdrawals.of_player(player_id, services,
                                                    limit=50))["withdrawals"],
        "limits": limits_of(services, player_id),
    }


def link(player_id: str, **cursors: str | None) -> str | None:
    if not any(cursors.values()):
        return None
    query = {"id": player_id} | {k: v for k, v in cursors.items() if v}
    return f"/console/players?{urlencode(query)}"


def limits_of(services, player_id: str) -> dict:
    try:
        player = services.ledger.repository.get(player_key(player_id))
    except AggregateNotFoundError:
        return {"selfExcludedUntil": None, "dailyLossLimits": {}}
    return {"selfExcludedUntil": player.self_excluded_until,
            "dailyLossLimits": player.daily_loss_limits}


@router.post("/players/{player_id}/adjust")
def adjust(request: Request, player_id: str, request_id: Text, currency: Text,
           amount: Text, balance: Text, reason: Text,
           staff: Staff = page(*PLAYERS.roles)) -> Response:
    allowed(staff, ADJUST)

    def run() -> str:
        body = AdjustmentCreate.model_validate({
            "requestId": request_id, "playerId": player_id, "currency": currency,
            "amount": amount, "balance": balance, "reason": reason})
        done = admin.adjust(body, request.app.state.services, Response(), staff.principal)
        return (f"Adjusted {player_id}'s {balance} by {amount} {currency}: cash now "
                f"{done.balance.cash}, bonus {done.balance.bonus}")

    return act(request, staff, run)


@router.post("/players/{player_id}/limits")
def set_limits(request: Request, player_id: str, reason: Text,
               self_excluded_until: Text = "", currency: Text = "",
               daily_loss_limit: Text = "",
               staff: Staff = page(*PLAYERS.roles)) -> Response:
    allowed(staff, LIMITS)

    def run() -> str:
        check_id(player_id, "playerId")
        services = request.app.state.services
        limits = {c: str(a) for c, a in
                  limits_of(services, player_id)["dailyLossLimits"].items()}
        if currency and daily_loss_limit:
            limits[currency] = daily_loss_limit
        until = utc(self_excluded_until) if self_excluded_until else None
        body = LimitsPut.model_validate({"selfExcludedUntil": until,
                                         "dailyLossLimits": limits, "reason": reason})
        done = admin_players.set_limits(player_id, body, services, Response(),
                                        staff.principal)
        until_text = (done.self_excluded_until.isoformat() if done.self_excluded_until
                      else "not self-excluded")
        return f"Limits of {player_id} set: {until_text}; daily loss limits " + (
            ", ".join(f"{c} {a}" for c, a in done.daily_loss_limits.items()) or "none")

    return act(request, staff, run)


def utc(local: str) -> str:
    """A form's date and time (no zone: the console works in UTC) as ISO 8601 UTC."""
    try:
        at = datetime.fromisoformat(local)
    except ValueError:
        raise InvalidInput(f"selfExcludedUntil: {local!r} is not a date and time",
                           field="selfExcludedUntil") from None
    return at.replace(tzinfo=None).isoformat() + "Z"
