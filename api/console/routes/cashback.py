"""The cashback log (filtered, one page at a time) and the configured programs."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from api.console.nav import CASHBACK
from api.console.reads import current, dumped
from api.console.web import Staff, page, render
from api.http.routes import cashback as api
from domain.kernel.errors import InvalidInput
from domain.kernel.text import check_id

router = APIRouter()
STATUSES = ("calculated", "credited", "skipped")


@router.get("/cashback")
def cashback(request: Request, period: str = "", status: str = "", program: str = "",
             player: str = "", cursor: str | None = None,
             staff: Staff = page(*CASHBACK.roles)) -> Response:
    services = request.app.state.services
    filters = {"period": period, "status": status, "program": program, "player": player}
    programs = dumped(api.programs(services))
    try:
        if player:
            check_id(player, "player")
        if status and status not in STATUSES:
            raise InvalidInput(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        current(services)
        found = dumped(api.log(services, period=period or None, status=status or None,
                               program=program or None, player_id=player or None,
                               cursor=cursor, limit=25))
    except InvalidInput as error:
        return render(request, "cashback.html", staff, status=422, error=error.message,
                      filters=filters, rows=[], next_url=None, programs=programs,
                      statuses=STATUSES)
    query = {k: v for k, v in filters.items() if v}
    next_url = (f"/console/cashback?{urlencode(query | {'cursor': found['nextCursor']})}"
                if found["nextCursor"] else None)
    return render(request, "cashback.html", staff, filters=filters, rows=found["rows"],
                  next_url=next_url, first_url=f"/console/cashback?{urlencode(query)}"
                  if cursor else None, programs=programs, statuses=STATUSES)
