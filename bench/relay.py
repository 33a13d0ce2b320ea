"""Relay benchmark: events published to NATS JetStream per second, against a raw loop.

    .venv/bin/python bench/relay.py [--events 200000] [--players 1000]
                                    [--backends postgres] [--nats nats://127.0.0.1:4222]

For each backend, in a scratch place (a temporary SQLite file; a temporary
PostgreSQL database, dropped at the end), on the machine's NATS server:

0. Generating the log (not a product path), as bench/audit.py does: `--players`
   wallets credited until the log holds `--events` events.
1. The relay (projections/relay/relay.py, as `casino-ledger relay run` runs it)
   from position zero to the head into a new stream: the log read in batches,
   each event decoded, made a CloudEvent and published pipelined, the position
   recorded after each batch's acknowledgements (events/s).
2. The raw baseline in the same run: the same messages, built beforehand (not
   timed), published by a plain nats-py loop (`publish_async` with
   `Nats-Msg-Id`, the same bound on unacknowledged publishes) into another new
   stream, then every acknowledgement awaited (messages/s).
3. The relay's own publisher (projections/relay/broker.py) on the same
   prebuilt messages into a third stream: publishing alone, without reading,
   decoding and building, so relay/this is the share the rest costs.

Everything runs on the event loop `casino-ledger relay run` uses (uvloop).
The ratio relay/raw is the figure of issue 15 (goal: at least 0.5). Not a
test. The streams and the scratch database are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nats  # noqa: E402
import nats.js.errors  # noqa: E402

from api.bootstrap import Services, bootstrap  # noqa: E402
from api.cli.relay import run_loop  # noqa: E402
from api.config.settings import Settings  # noqa: E402
from api.relay_wiring import build_relay  # noqa: E402
from bench.audit import generate  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_POSTGRES,
    backends_list,
    load_line,
    machine,
    markdown,
    run_main,
    say,
)
from bench.scratch import scratch  # noqa: E402
from domain.audit.public_record import public_form  # noqa: E402
from projections.relay.broker import JetStream, StreamSettings  # noqa: E402
from projections.relay.messages import Message  # noqa: E402
from projections.relay.relay import Relay  # noqa: E402


def relay_run(services: Services) -> tuple[Relay, float]:
    relay, head = build_relay(services), services.ledger.head()

    async def run() -> float:
        stop = asyncio.Event()
        started = time.perf_counter()
        task = asyncio.create_task(relay.run(stop))
        while relay.place.position() < head:
            if task.done():
                raise RuntimeError(f"the relay stopped: {services.relays()}")
            await asyncio.sleep(0.1)  # a poll of the position costs the relay time
        seconds = time.perf_counter() - started
        stop.set()
        await task
        return seconds

    return relay, run_loop(run())


def messages_of(services: Services, relay: Relay) -> list[Message]:
    """The relay's messages, built as it builds them (before the raw loop is timed)."""
    ledger, built, position = services.ledger, [], 0
    while notes := ledger.recorder.select_notifications(
            start=position, limit=5000, inclusive_of_start=False):
        for note in notes:
            event = ledger.mapper.to_domain_event(note)
            built.append(relay.envelopes.message(note.id, event, public_form(event),
                                                 relay.owners.player(event)))
        position = notes[-1].id
    return built


def raw_loop(url: str, stream: str, prefix: str, messages: list[Message],
             in_flight: int) -> float:
    """The raw loop's seconds."""
    async def run() -> float:
        nc = await nats.connect(url)
        js = nc.jetstream(publish_async_max_pending=in_flight)
        await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
        try:
            started = time.perf_counter()
            futures = [await js.publish_async(
                f"{prefix}.{m.subject.split('.', 2)[2]}", m.body,
                headers={"Nats-Msg-Id": str(m.position)}) for m in messages]
            await asyncio.gather(*futures)
            return time.perf_counter() - started
        finally:
            await nc.close()
    return run_loop(run())


def publisher_loop(url: str, stream: str, prefix: str, messages: list[Message],
                   in_flight: int) -> float:
    """The relay's publisher on the prebuilt messages: its seconds."""
    async def run() -> float:
        broker = JetStream(url, StreamSettings(stream, [f"{prefix}.>"], "limits", 120, 0),
                           in_flight=in_flight, ack_timeout=10)
        await broker.connect()
        try:
            await broker.ensure_stream()
            renamed = [Message(m.position, f"{prefix}.{m.subject.split('.', 2)[2]}",
                               m.body) for m in messages]
            started = time.perf_counter()
            published = await broker.publish(renamed, 0)
            if published.failure is not None:
                raise published.failure
            return time.perf_counter() - started
        finally:
            await broker.close()
    return run_loop(run())


def drop_streams(url: str, *names: str) -> None:
    async def run() -> None:
        nc = await nats.connect(url)
        js = nc.jetstream()
        for name in names:
            try:
                await js.delete_stream(name)
            except nats.js.errors.NotFoundError:  # a step that failed before making it
                pass
        await nc.close()
    run_loop(run())


def measure(backend: str, url: str, args: argparse.Namespace) -> list[str]:
    tag = uuid.uuid4().hex[:10]
    config = Path(f"/tmp/casino-ledger-bench-relay-{tag}.toml")
    config.write_text(f'[relay]\nstream = "BENCH_{tag}"\nsubject_prefix = "bench.{tag}"\n')
    services = bootstrap(Settings(database_url=url, secret="bench-" + "0" * 40,
                                  nats_url=args.nats, config=config))
    streams = [f"BENCH_{tag}", f"BENCH_RAW_{tag}", f"BENCH_PUB_{tag}"]
    try:
        say(f"{backend}: generating {args.events} events")
        generate(services, args.events, args.players)
        count = services.ledger.head()
        in_flight = services.config.relay.in_flight
        try:
            say(f"{backend}: relaying {count} events")
            relay, relayed = relay_run(services)
            messages = messages_of(services, relay)
            say(f"{backend}: raw publish loop of the same {len(messages)} messages")
            raw = raw_loop(args.nats, streams[1], f"bench.raw{tag}", messages, in_flight)
            say(f"{backend}: the relay's publisher on the same messages")
            alone = publisher_loop(args.nats, streams[2], f"bench.pub{tag}", messages,
                                   in_flight)
        finally:
            drop_streams(args.nats, *streams)
    finally:
        services.close()
        config.unlink()
    rows = [("relay (casino-ledger relay run)", f"{count:,}", f"{relayed:.1f}",
             f"{count / relayed:,.0f}"),
            ("raw nats-py publish_async loop", f"{len(messages):,}", f"{raw:.1f}",
             f"{len(messages) / raw:,.0f}"),
            ("the relay's publisher alone, prebuilt messages", f"{len(messages):,}",
             f"{alone:.1f}", f"{len(messages) / alone:,.0f}")]
    ratio = (count / relayed) / (len(messages) / raw)
    return [f"### {backend}: {count:,} events", "",
            *markdown(["step", "events", "seconds", "events/s"], rows), "",
            f"Relay / raw: {ratio:.2f}",
            f"Relay / its publisher alone: {(count / relayed) / (len(messages) / alone):.2f}",
            ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--backends", default="postgres")
    parser.add_argument("--nats", default=os.environ.get("CASINO_LEDGER_NATS_URL",
                                                         "nats://127.0.0.1:4222"))
    parser.add_argument("--postgres", default=os.environ.get("CASINO_LEDGER_BENCH_POSTGRES",
                                                             DEFAULT_POSTGRES))
    args = parser.parse_args()
    backends = backends_list(args.backends, parser)

    def body(stop: threading.Event) -> None:
        lines = ["## Relay to NATS JetStream (bench/relay.py)", "", *machine(args.postgres),
                 f"NATS: {args.nats}", "",
                 f"Command: `python bench/relay.py --events {args.events} --players "
                 f"{args.players} --backends {args.backends}`", ""]
        for backend in backends:
            with scratch(backend, args.postgres) as (url, _):
                lines += measure(backend, url, args)
        lines.append(load_line("after the run"))
        print("\n".join(lines))

    run_main(body)


if __name__ == "__main__":
    main()
