"""The relay wired from configuration: the log, its place, the stream, the envelopes."""

from __future__ import annotations

from api.bootstrap import Services
from projections.relay.broker import JetStream, StreamSettings
from projections.relay.lease import RelayPlace
from projections.relay.messages import Envelopes, Selection
from projections.relay.relay import Relay

DAY = 86400


def build_relay(services: Services) -> Relay:
    config, ledger = services.config.relay, services.ledger
    stream = StreamSettings(
        name=config.stream, subjects=[f"{config.subject_prefix}.>"],
        retention=config.retention, duplicate_window=config.duplicate_window_seconds,
        max_age=config.max_age_days * DAY)
    broker = JetStream(services.settings.nats_url, stream, in_flight=config.in_flight,
                       ack_timeout=config.ack_timeout_seconds)
    place = RelayPlace(services.balances.db, config.stream,
                       lease_seconds=config.lease_seconds)
    return Relay(ledger.recorder, ledger.mapper, place, broker,
                 Envelopes(config.subject_prefix, config.source), Selection(config.events),
                 batch=config.batch, poll=config.poll_ms / 1000)
