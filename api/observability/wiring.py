"""Where observability plugs in: the composition root and the app factory.

`instrument(services)` runs in `bootstrap`: with metrics on, it wraps the
ledger's command runner, listens to group-commit batches, view and loop
failures, registers the scrape-time collector and opens the metrics port if
one is set.
`install(app, settings)` runs in `create_app`: the middleware (request and
trace ids always; timing with metrics on) and `/metrics` on the API port.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from api.observability.collectors import LedgerCollector
from api.observability.commands import ObservedCommands
from api.observability.http import Observed, add_metrics_route
from api.observability.instruments import Metrics
from api.observability.logs import configure_logging

log = logging.getLogger(__name__)


def instrument(services: Any) -> Metrics | None:
    settings = services.settings
    configure_logging(settings.log_format, settings.log_level)
    if settings.metrics == "off":
        return None
    metrics = Metrics()
    ledger = services.ledger
    ledger.commands = ObservedCommands(ledger.commands, metrics, ledger.repository)
    if hasattr(ledger.commands, "on_batch"):  # group commit only
        ledger.commands.on_batch.append(metrics.batch)
    services.projections.on_failed.append(metrics.view_failed)
    services.scheduler.loops.on_failed.append(metrics.loop_failed)
    metrics.add_collectors([LedgerCollector(services)])
    if settings.metrics_port is not None:
        try:
            metrics.serve_port(settings.metrics_port, settings.metrics_host)
        except OSError as error:  # another worker of this host serves it already
            log.warning("metrics port %s not opened: %s", settings.metrics_port, error)
    return metrics


def install(app: FastAPI, settings: Any) -> None:
    # Always: every request has a trace id, on its events and in its answer.
    app.add_middleware(Observed, log_format=settings.log_format,
                       log_level=settings.log_level, timed=settings.metrics != "off")
    if settings.metrics in ("public", "token"):
        token = settings.metrics_token
        add_metrics_route(app, settings.metrics,
                          token.get_secret_value() if token is not None else None)
