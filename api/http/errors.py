"""One place that turns errors into `{"error": {"code", "message"}}` responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.http.strict_json import InvalidBody
from domain.kernel.errors import (
    Busy,
    Conflict,
    DomainError,
    InsufficientFunds,
    InvalidInput,
    NotFound,
    UnknownHold,
)
from domain.compliance.refusals import LimitRefused
from domain.jobs.model import JobFailed
from domain.players.model import BetRejected
from projections.engine.trouble import TRANSIENT

STATUS = {
    InvalidInput: 422,
    InsufficientFunds: 409,
    UnknownHold: 409,
    Conflict: 409,
    NotFound: 404,
    Busy: 503,
    JobFailed: 500,  # the job's own action failed; the attempt is recorded as failed
}


# Every `error.code` a response may carry, with its status: the stable list
# documented in docs/input.md ("Error codes"). ErrorBody's schema enumerates
# them, and tests/e2e/test_openapi_fuzz.py fails on a response with another.
ERROR_CODES: dict[str, int] = {
    "invalid_input": 422,
    "unsupported_media_type": 415,
    "body_too_large": 413,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "insufficient_funds": 409,
    "unknown_hold": 409,
    "limit_refused": 409,
    "refused": 400,
    "busy": 503,
    "stale_read": 503,
    "unavailable": 503,
    "job_failed": 500,
}

HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "body_too_large",
              415: "unsupported_media_type", 503: "stale_read"}


def status_of(error: DomainError) -> int:
    """The status of the error's nearest class in STATUS: a subclass keeps its parent's."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(BetRejected)
    async def bet_rejected(_: Request, error: BetRejected) -> JSONResponse:
        """A refused bet is an answer, not an error: the seamless-wallet contract
        wants 200 REJECTED with a stable reason code, which a provider tells apart
        from a failed call. Nothing was recorded. Only bet placement raises it."""
        rule = {"rule": error.rule} if hasattr(error, "rule") else {}
        return JSONResponse({"status": "REJECTED", "reason": error.reason, **rule,
                             "message": error.message})

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        response = error_response(status_of(error), error.code, error.message)
        if isinstance(error, LimitRefused):  # which rule, machine-readable
            response = JSONResponse({"error": {
                "code": error.code, "message": error.message, "reason": error.reason,
                "rule": error.rule}}, status_code=response.status_code)
        return response

    async def database_away(_: Request, error: Exception) -> JSONResponse:
        """The database is down, restarting or too busy: nothing was decided that
        could be half done (a command commits whole or not at all); retry."""
        response = error_response(503, "unavailable", "the database is unavailable "
                                  "for now; retry the same request")
        response.headers["Retry-After"] = "1"
        return response

    for kind in TRANSIENT:
        app.add_exception_handler(kind, database_away)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        if isinstance(error.body, InvalidBody):
            return error_response(422, "invalid_input", error.body.message)
        if isinstance(error.body, bytes):  # a body FastAPI did not read as JSON
            return error_response(415, "unsupported_media_type",
                                  "send the body as Content-Type: application/json")
        return error_response(422, "invalid_input", "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}"
            for e in error.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "error")
        response = error_response(error.status_code, code, str(error.detail))
        if error.headers:
            response.headers.update(error.headers)
        if error.status_code == 405 and (allowed := allowed_methods(request)):
            response.headers["Allow"] = allowed
        return response


def allowed_methods(request: Request) -> str:
    """Every method the path answers to, from the routes the app was built with
    (`app.state.routes`, set by api/http/app.py). Starlette's 405 names only the
    first route whose path matches (GET for a path that also takes PUT), and
    FastAPI keeps an included router's routes out of `app.router.routes`, so
    neither can say it."""
    methods: set[str] = set()
    for route in getattr(request.app.state, "routes", ()):
        if route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))
