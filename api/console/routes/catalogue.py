"""Games (operator: look one up, add or reconfigure it) and FX rates (finance sets them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from api.console.nav import GAMES, SET_FX, SET_GAME
from api.console.reads import dumped
from api.console.web import Staff, act, allowed, page, render
from api.http.routes import fx, games
from api.http.schemas.bets import GamePut
from api.http.schemas.rakeback import FxRatesPut
from domain.kernel.errors import DomainError
from domain.kernel.text import check_id, is_id

router = APIRouter()
Text = Annotated[str, Form(max_length=128)]


@router.get("/games")
def catalogue(request: Request, game: str = "", staff: Staff = page(*GAMES.roles)) -> Response:
    services = request.app.state.services
    found, error = None, None
    if game and staff.role in SET_GAME:
        try:
            if not is_id(game):
                raise DomainError(f"{game!r} is not a game id")
            found = dumped(games.read(game, services))
        except DomainError as refused:
            error = refused.message
    rates = dumped(fx.rates(services))
    return render(request, "games.html", staff, status=422 if error else 200, game=game,
                  found=found, error=error, rates=rates,
                  may_configure=staff.role in SET_GAME, may_set_fx=staff.role in SET_FX)


@router.post("/games/configure")
def configure(request: Request, game_id: Text, rtp: Text, category: Text, provider: Text,
              house_game: Text = "", staff: Staff = page(*GAMES.roles)) -> Response:
    allowed(staff, SET_GAME)

    def run() -> str:
        check_id(game_id, "gameId")
        body = GamePut.model_validate({"rtp": rtp, "category": category,
                                       "provider": provider, "houseGame": bool(house_game)})
        done = games.configure(game_id, body, request.app.state.services, Response(),
                               staff.principal)
        return (f"{done.game_id}: RTP {done.rtp}, {done.category}, {done.provider} "
                f"(version {done.version})")

    return act(request, staff, run)


@router.post("/fx")
def set_rate(request: Request, currency: Text, rate: Text,
             staff: Staff = page(*GAMES.roles)) -> Response:
    allowed(staff, SET_FX)

    def run() -> str:
        body = FxRatesPut.model_validate({"rates": {currency: rate}})
        done = fx.set_rates(body, request.app.state.services, Response(), staff.principal)
        return f"{currency} is now {done.rates.get(currency)} USD"

    return act(request, staff, run)
