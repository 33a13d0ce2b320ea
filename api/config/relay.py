"""The [relay] section of the business configuration: the stream the relay
publishes the log to, its subjects and which events go (docs/configuration.md,
docs/events.md "On the bus"). The broker's address is a process setting,
CASINO_LEDGER_NATS_URL."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from api.config.types import Section

STREAM_NAME = r"^[A-Za-z0-9_-]{1,64}$"
SUBJECT_PREFIX = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"


class RelayConfig(Section):
    stream: str = Field(default="CASINO_LEDGER", pattern=STREAM_NAME)
    subject_prefix: str = Field(default="casino.ledger", pattern=SUBJECT_PREFIX)
    source: str = Field(default="urn:casino-ledger", min_length=1)  # CloudEvents `source`
    # Public names (`bet.placed`) or prefixes (`wallet.*`, `wallet`); empty: every event.
    events: list[str] = Field(default_factory=list)
    retention: Literal["limits", "interest", "workqueue"] = "limits"
    duplicate_window_seconds: int = Field(default=120, ge=1, le=7 * 86400)
    max_age_days: int = Field(default=0, ge=0)  # 0: kept until the retention removes them
    batch: int = Field(default=1000, ge=1, le=100_000)  # events read from the log at once
    in_flight: int = Field(default=1000, ge=1, le=100_000)  # unacknowledged publishes
    ack_timeout_seconds: int = Field(default=5, ge=1, le=300)
    lease_seconds: int = Field(default=15, ge=1, le=3600)
    poll_ms: int = Field(default=50, ge=1, le=60_000)  # how often an idle relay looks

    @field_validator("events")
    @classmethod
    def _known_names(cls, value: list[str]) -> list[str]:
        from domain.kernel.public_events import public_names

        names = public_names()
        for pattern in value:
            stem = pattern.rstrip("*").rstrip(".")
            if pattern not in names and not any(n.startswith(stem + ".") for n in names):
                raise ValueError(f"{pattern!r} is neither a public event name nor the "
                                 "prefix of one (docs/events.md)")
        return value
