"""`casino-ledger relay run`: the log, published to NATS JetStream (docs/events.md)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer

from api.cli.context import console, services

T = TypeVar("T")

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
        run_loop(_until_signalled(relay))


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop, as `serve` does (uvicorn[standard] brings it): the relay
    spends most of its time in the event loop, and uvloop's is a fifth faster."""
    try:
        import uvloop
    except ImportError:  # a platform uvloop does not build on
        return asyncio.run(main)
    return uvloop.run(main)


async def _until_signalled(relay) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    await relay.run(stop)
