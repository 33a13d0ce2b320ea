"""The rules that tie the observability settings together, checked at start-up."""

from __future__ import annotations

from typing import Any

MIN_TOKEN = 16


def check_metrics_settings(settings: Any) -> None:
    """`token` needs a token, `port` a port, and a port needs metrics on."""
    mode, token, port = settings.metrics, settings.metrics_token, settings.metrics_port
    if mode == "token" and (token is None or len(token.get_secret_value()) < MIN_TOKEN):
        raise ValueError("CASINO_LEDGER_METRICS=token needs CASINO_LEDGER_METRICS_TOKEN "
                         f"(at least {MIN_TOKEN} characters)")
    if mode == "port" and port is None:
        raise ValueError("CASINO_LEDGER_METRICS=port needs CASINO_LEDGER_METRICS_PORT")
    if mode == "off" and port is not None:
        raise ValueError("CASINO_LEDGER_METRICS_PORT is set but CASINO_LEDGER_METRICS=off")
