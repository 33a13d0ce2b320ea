"""The request body size limit (CASINO_LEDGER_MAX_BODY_BYTES), answered as a 413.

Starlette's own limiter answers in plain text and replaces any response to an
over-long declared body with its own; this one answers with the error schema.
A declared length over the limit is refused before a byte is read; a chunked
body is counted as it is read, and the count raises the same 413.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.errors import error_response


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"the request body may be at most {self.max_bytes} bytes"
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(413, "body_too_large", message)(scope, receive, send)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            received = await receive()
            total += len(received.get("body", b""))
            if total > self.max_bytes:
                raise HTTPException(413, message)
            return received

        await self.app(scope, counted, send)
