"""P&L: GGR and NGR per day, game and provider over a date range, as tables and a chart."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fastapi import APIRouter, Request, Response

from api.console.chart import bars, totals
from api.console.nav import PNL
from api.console.reads import current, dumped
from api.console.web import Staff, page, render
from api.http.routes import reports as api
from domain.kernel.clock import clock
from domain.kernel.errors import InvalidInput

router = APIRouter()
GROUPS = {"day": "Day", "gameId": "Game", "provider": "Provider"}
MAX_DAYS = 366


@router.get("/pnl")
def pnl(request: Request, start: str = "", end: str = "", currency: str = "",
        staff: Staff = page(*PNL.roles)) -> Response:
    today = clock.now().date()
    try:
        day_to = date.fromisoformat(end) if end else today
        day_from = date.fromisoformat(start) if start else day_to - timedelta(days=13)
        if (day_to - day_from).days > MAX_DAYS:
            raise InvalidInput(f"the range is at most {MAX_DAYS} days")
        services = request.app.state.services
        current(services)
        rows = dumped(api.pnl(services, day_from, day_to,
                              currency=currency or None))["rows"]
    except (ValueError, InvalidInput) as error:
        return render(request, "pnl.html", staff, status=422, start=start, end=end,
                      currency=currency, groups=GROUPS, tables={}, charts=[],
                      error=getattr(error, "message", f"a date is YYYY-MM-DD ({error})"))
    tables = {key: totals(rows, key) for key in GROUPS}
    shown = currency or (tables["day"][0]["currency"] if tables["day"] else "")
    days = [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]
    charts = [(f"{figure.upper()} per day", per_day(tables["day"], shown, figure, days))
              for figure in ("ggr", "ngr")]
    charts.append(("GGR per game", bars([(r["key"], r["ggr"]) for r in tables["gameId"]
                                         if r["currency"] == shown])))
    return render(request, "pnl.html", staff, start=day_from.isoformat(),
                  end=day_to.isoformat(), currency=currency, groups=GROUPS,
                  tables=tables, charts=charts, chart_currency=shown)


def per_day(rows: list[dict], currency: str, figure: str, days: list[date]) -> dict:
    """Bars of one figure for every day of the range (none played: zero)."""
    found = {r["key"]: r[figure] for r in rows if r["currency"] == currency}
    return bars([(d.isoformat()[5:], found.get(d.isoformat(), Decimal(0))) for d in days])
