"""HTTP: time each request by route template, give it a request and trace id, serve /metrics.

`Observed` is a plain ASGI middleware (no BaseHTTPMiddleware: it would cost a
task per request). It answers every response with `X-Request-ID` (the
caller's, when it is a sane id, else a new one) and `X-Trace-Id` (the W3C
`traceparent`'s trace id, else the request id), keeps both in the log context
and the trace id on every event the request causes (domain/kernel/tracing.py),
observes `casino_http_request_duration_seconds` when metrics are on and, in
JSON log mode, writes one access line per request.
"""

from __future__ import annotations

import hmac
import logging
import os
import random
import re
from time import perf_counter
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.observability.instruments import multiprocess_dir
from api.observability.logs import REQUEST, configure_logging, route_uvicorn_to_root
from domain.kernel.tracing import REQUEST_TRACE

access_log = logging.getLogger("casino_ledger.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")
TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


class Observed:
    def __init__(self, app: Any, *, log_format: str, log_level: str, timed: bool):
        self.app = app
        self.json = log_format == "json"
        self.log_level = log_level
        self.timed = timed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, self._lifespan(receive), send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id, trace_id = ids(dict(scope["headers"]))
        context = {"request_id": request_id, "trace_id": trace_id}
        token = REQUEST.set(context)
        traced = REQUEST_TRACE.set(trace_id)  # onto every event the request causes
        status, started = [500], perf_counter()
        echoed = [(b"x-request-id", request_id.encode()), (b"x-trace-id", trace_id.encode())]

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), *echoed]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self._done(scope, context, status[0], perf_counter() - started)
            REQUEST_TRACE.reset(traced)
            REQUEST.reset(token)

    def _done(self, scope: dict[str, Any], context: dict[str, Any], status: int,
              seconds: float) -> None:  # float-ok: a duration
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        context["route"] = route
        if self.timed:
            services = getattr(scope["app"].state, "services", None)
            metrics = getattr(services, "metrics", None)
            if metrics is not None:
                metrics.http_seconds.labels(scope["method"], route, str(status)).observe(
                    seconds)
        if self.json:
            access_log.info("%s %s %s", scope["method"], route, status, extra={
                "method": scope["method"], "status": status,
                "duration_ms": round(seconds * 1000, 3)})

    def _lifespan(self, receive: Any) -> Any:
        """Set up the logs once uvicorn has set up its own; tidy up multiprocess files."""
        async def wrapped() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "lifespan.startup":
                configure_logging("json" if self.json else "text", self.log_level)
                if self.json:
                    route_uvicorn_to_root()
            elif message["type"] == "lifespan.shutdown" and multiprocess_dir():
                from prometheus_client import multiprocess
                multiprocess.mark_process_dead(os.getpid())
            return message
        return wrapped


# New request ids need to be unique, not unguessable: a generator seeded once from
# the system's randomness, not a system call per request (uuid4 was a sixteenth
# of a bet request's time).
NEW_IDS = random.Random(os.urandom(32))


def ids(headers: dict[bytes, bytes]) -> tuple[str, str]:
    """The request id (the caller's if sane, else new) and the trace id: the W3C
    `traceparent`'s, else the request id (a new one is a valid W3C trace id)."""
    given = headers.get(b"x-request-id", b"").decode("latin-1")
    request_id = given if REQUEST_ID.fullmatch(given) else f"{NEW_IDS.getrandbits(128):032x}"
    trace = TRACEPARENT.fullmatch(headers.get(b"traceparent", b"").decode("latin-1"))
    return request_id, trace.group(1) if trace else request_id


def add_metrics_route(app: FastAPI, mode: str, token: str | None) -> None:
    """GET /metrics on the API port: open (`public`) or behind the metrics token."""
    expected = f"Bearer {token}".encode() if token else b""

    def metrics(request: Request) -> Response:  # reads the views: in the thread pool
        if mode == "token" and not hmac.compare_digest(
                request.headers.get("authorization", "").encode(), expected):
            return Response('{"error": {"code": "unauthorized", "message": '
                            '"the metrics token is required"}}', status_code=401,
                            media_type="application/json",
                            headers={"WWW-Authenticate": "Bearer"})
        registry = request.app.state.services.metrics.scrape_registry()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
