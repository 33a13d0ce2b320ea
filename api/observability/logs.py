"""Structured logs: one JSON object per line, when CASINO_LEDGER_LOG_FORMAT=json.

Each line has time (UTC, ISO 8601), level, logger and message, and, inside an
HTTP request, its request id, trace id (a W3C `traceparent`'s, else the request id),
route template and method; the access line adds status and duration_ms.
Text stays the default for a terminal; its lines inside a request end with
the request id and trace id. Nothing here logs headers, bodies,
query strings or raw paths, so tokens, signatures and player ids stay out.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

# The request being served (set by the HTTP middleware, copied into worker threads).
REQUEST: ContextVar[dict[str, Any] | None] = ContextVar("casino_request", default=None)
EXTRA_FIELDS = ("status", "duration_ms", "method")
# Uvicorn's own loggers; its access line is replaced by ours in JSON mode.
UVICORN = ("uvicorn", "uvicorn.error")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name,
            "message": record.getMessage()}
        line.update(REQUEST.get() or {})
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestIds(logging.Filter):
    """Text lines written inside a request end with its request and trace ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = REQUEST.get()
        if context and not hasattr(record, "request_ids"):
            record.request_ids = True
            record.msg = (f"{record.msg} [request_id={context['request_id']} "
                          f"trace_id={context['trace_id']}]")
        return True


def configure_logging(log_format: str, level: str) -> None:
    """JSON lines on stderr for the root logger and uvicorn's; text is left as set up,
    its lines inside a request ending with the request's ids."""
    if log_format != "json":
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, RequestIds) for f in handler.filters):
                handler.addFilter(RequestIds())
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(getattr(handler, "formatter", None), JsonFormatter):
            return  # already configured in this process
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    route_uvicorn_to_root()


def route_uvicorn_to_root() -> None:
    """Uvicorn configures its loggers when it starts: send them through the root."""
    for name in UVICORN:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
