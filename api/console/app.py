"""Mounts the console on the HTTP app: its routes under /console, its static files,
and the pages that say why a request was refused."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

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
from domain.kernel.errors import DomainError

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
        return refusal(request, error.staff, error.status, error.message)

    for kind in (RequestValidationError, HTTPException, DomainError):
        app.add_exception_handler(kind, as_page(app.exception_handlers[kind]))


def as_page(api_handler):
    """The API's handler of an error, but a page (or fragment) under /console."""

    async def handler(request: Request, error: Exception) -> Response:
        if not request.url.path.startswith("/console/"):
            return await api_handler(request, error)
        answer = await api_handler(request, error)  # the API's status and message
        message = json.loads(answer.body)["error"]["message"]
        return refusal(request, None, answer.status_code, message)

    return handler


def refusal(request: Request, staff, status: int, message: str) -> HTMLResponse:
    template = "result.html" if request.headers.get("HX-Request") else "refused.html"
    return render(request, template, staff, status=status, ok=False, message=message)
