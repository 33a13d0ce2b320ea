"""`casino-ledger relay run`: the log, published to NATS JetStream (docs/events.md)."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer

from api.cli.context import console, services

relay_cli = typer.Typer(help="The log, relayed to NATS JetStream as CloudEvents.",
                        no_args_is_help=True)


@relay_cli.command("run")
def relay_run():
    """Publish every selected event once, in log order (until interrupted or SIGTERM)."""
    from api.relay_wiring import build_relay

    logging.basicConfig(level=logging.INFO)
    with services() as built:
        relay = build_relay(built)
        config = built.config.relay
        console.print(f"relaying the log to {built.settings.nats_url}, stream "
                      f"{config.stream}, subjects {config.subject_prefix}.>; Ctrl-C to stop")
        asyncio.run(_until_signalled(relay))


async def _until_signalled(relay) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    await relay.run(stop)
