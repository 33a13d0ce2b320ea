"""The relay in the tests: its configuration, a run until it has caught up, and
what a consumer should read (each selected event of the log, in order)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from api.bootstrap import Services
from api.relay_wiring import build_relay
from domain.audit.public_record import public_form
from projections.relay.relay import Relay


def relay_toml(stream: str, prefix: str, *, events: str = "[]", lease: int = 2) -> str:
    """A batch of 500 published in windows of 64: each batch takes several windows."""
    return (f'[relay]\nstream = "{stream}"\nsubject_prefix = "{prefix}"\n'
            f"events = {events}\nlease_seconds = {lease}\nbatch = 500\nin_flight = 64\n")


def relay_until_caught_up(services: Services, timeout: float = 120) -> Relay:
    """Run a relay in this process until it has published up to the log's head."""
    relay = build_relay(services)
    head = services.ledger.head()

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        deadline = time.monotonic() + timeout
        while relay.place.position() < head:
            if time.monotonic() > deadline or task.done():
                stop.set()
                await task
                pytest.fail(f"the relay reached {relay.place.position()} of {head}: "
                            f"{services.relays()}")
            await asyncio.sleep(0.02)
        stop.set()
        await task

    asyncio.run(run())
    return relay


class RelayThread:
    """A relay running in a thread of this process until `stop()`."""

    def __init__(self, services: Services):
        self.relay = build_relay(services)
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._loop.run_until_complete(self.relay.run(self._stop))

    def start(self) -> RelayThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
        assert not self._thread.is_alive()


def wait_for(condition: Any, timeout: float = 120, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def expected_messages(services: Services, prefix: str) -> list[dict[str, Any]]:
    """Each event of the log as its message should read: position, subject, type, data."""
    ledger, expected = services.ledger, []
    for note in ledger.recorder.select_notifications(start=None, limit=10**9):
        form = public_form(ledger.mapper.to_domain_event(note))
        expected.append({"position": note.id, "subject": f"{prefix}.{form.name}",
                         "type": f"{form.name}.v{form.version}", "data": form.payload})
    return expected


def received(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same fields, as a consumer read them from the stream."""
    return [{"position": m["body"]["logposition"], "subject": m["subject"],
             "type": m["body"]["type"], "data": m["body"]["data"]} for m in messages]
