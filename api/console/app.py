"""Mounts the console on the HTTP app: its routes under /console, its static files,
and the pages that say why a request was refused."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.console.routes import (
    audit,
    catalogue,
    cashback,
    home,
    jobs,
    players,
    reports,
    signin,
    treasury,
    withdrawals,
)
from api.console.sessions import SessionEnded
from api.console.settings import ConsoleSettings
from api.console.web import Console, Refused, csrf_checked, render

STATIC = Path(__file__).parent / "static"
MODULES = (signin, home, players, withdrawals, treasury, reports, cashback, jobs,
           catalogue, audit)


def mount(app: FastAPI, signing_key: str, settings: ConsoleSettings | None = None) -> None:
    app.state.console = Console(signing_key, settings or ConsoleSettings())
    router = APIRouter(prefix="/console", include_in_schema=False,
                       dependencies=[Depends(csrf_checked)])
    for module in MODULES:
        router.include_router(module.router)
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(SessionEnded)
    async def session_ended(request: Request, error: SessionEnded) -> HTMLResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = render(request, "sign_in.html", status=401, error=str(error),
                          next=target if request.method == "GET" else "/console/")
        if request.headers.get("HX-Request"):
            response.headers["HX-Redirect"] = "/console/sign-in"
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> HTMLResponse:
        template = "result.html" if request.headers.get("HX-Request") else "refused.html"
        return render(request, template, error.staff, status=error.status, ok=False,
                      message=error.message)
