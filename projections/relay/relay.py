"""The relay: follows the log and publishes each selected event to the bus, once, in order.

Exactly once as a JetStream consumer sees it:
- a message's id is its log position (`Nats-Msg-Id`), and each message must
  follow the stream's last one (projections/relay/broker.py), so a re-publish
  is dropped and nothing lands out of order or after a gap;
- the relay's position (projections/relay/lease.py) is recorded only after the
  broker acknowledged every message up to it, and a relay that starts takes
  the later of that position and the last message in the stream;
- one relay at a time holds the lease and publishes.

While the broker is down or refuses, the relay retries with back-off
(projections/engine/backoff.py) and notes the error beside its position; the
ledger goes on taking bets and the relay only falls behind (its lag is in
`GET /v1/admin/projections` and the metrics).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import nats.errors
import nats.js.errors

from domain.audit.public_record import public_form
from projections.engine.backoff import pause_after
from projections.engine.database import PositionMoved
from projections.relay.broker import JetStream
from projections.relay.lease import RelayPlace
from projections.relay.messages import Envelopes, Message, Selection
from projections.relay.owners import Owners

log = logging.getLogger(__name__)

LONGEST_PAUSE = 5.0  # float-ok: seconds
# The broker away, slow or refusing, or the lease taken: retried without a traceback.
EXPECTED = (nats.errors.Error, nats.js.errors.Error, OSError, asyncio.TimeoutError)


class LeaseLost(Exception):
    """Another relay holds the lease now."""


class Relay:
    def __init__(self, recorder: Any, mapper: Any, place: RelayPlace, broker: JetStream,
                 envelopes: Envelopes, selection: Selection, *, batch: int,
                 poll: float):  # float-ok: seconds
        self.recorder = recorder
        self.mapper = mapper
        self.place = place
        self.broker = broker
        self.envelopes = envelopes
        self.selection = selection
        self.owners = Owners(recorder, mapper)
        self.batch = batch
        self.poll = poll
        self.failures = 0  # in a row; reset by a session that publishes
        self.published = 0  # messages acknowledged by this process

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set, starting a new session after each failure."""
        while not stop.is_set():
            try:
                await self._session(stop)
            except Exception as error:  # noqa: BLE001 - retried with back-off, noted
                self.failures += 1
                pause = pause_after(self.failures, longest=LONGEST_PAUSE)
                self._failed(error, pause)
                await _wait(stop, pause)
        self.place.release()

    async def _session(self, stop: asyncio.Event) -> None:
        while not self.place.take():  # another relay publishes; take over when it stops
            if await _wait(stop, self.place.lease_ms / 4000):
                return
        await self.broker.connect()
        try:
            await self.broker.ensure_stream()
            await self._follow(stop, *await self._start())
        finally:
            await self.broker.close()

    async def _follow(self, stop: asyncio.Event, last_seq: int, position: int) -> None:
        """Read, build and publish batch after batch; while the broker takes one batch,
        the next is read and built in a worker thread, so the event loop goes on
        sending and taking acknowledgements (one batch in flight: the order holds)."""
        read, sending = position, None
        try:
            while not stop.is_set():
                self._keep_lease()
                notes, messages = await asyncio.to_thread(self._next, read)
                if sending is not None:
                    position, sending = await self._settled(*sending, position), None
                if not notes:
                    await _wait(stop, self.poll)
                    continue
                task = asyncio.create_task(self.broker.publish(messages, last_seq))
                sending, read = (task, notes, messages), notes[-1].id
                last_seq += len(messages)  # where the stream is once the batch lands
                for _ in range(2):  # the client takes the batch and writes it out
                    await asyncio.sleep(0)
            if sending is not None:
                await self._settled(*sending, position)
        finally:
            if sending is not None and not sending[0].done():
                sending[0].cancel()

    async def _start(self) -> tuple[int, int]:
        """Where this session starts: after the recorded position, or after the
        stream's last message if that is further (acknowledged, not recorded)."""
        last_seq, in_stream = await self.broker.tail()
        position = self.place.position()
        if in_stream is not None and in_stream > position:
            self.place.advance(position, in_stream)
            position = in_stream
        if self.failures:
            log.info("relay %s publishing again from position %s", self.place.name, position)
        self.failures = 0
        self.place.note(None)
        return last_seq, position

    def _keep_lease(self) -> None:
        if not self.place.holds(margin_ms=self.place.lease_ms // 2) and not self.place.take():
            raise LeaseLost(f"another relay holds the lease of {self.place.name}")

    async def _settled(self, task: asyncio.Task, notes: list[Any], messages: list[Message],
                       position: int) -> int:
        """Record how far the broker acknowledged a batch; its failure ends the session."""
        published = await task
        self.published += published.acked
        if published.failure is not None:
            if published.acked:
                self._record(position, messages[published.acked - 1].position)
            raise published.failure
        self._record(position, notes[-1].id)
        return notes[-1].id

    def _next(self, after: int) -> tuple[list[Any], list[Message]]:
        """The next batch of the log after `after`, and its messages."""
        notes = self.recorder.select_notifications(start=after, limit=self.batch,
                                                   inclusive_of_start=False)
        return notes, self._messages(notes)

    def _messages(self, notes: list[Any]) -> list[Message]:
        messages = []
        for note in notes:
            event = self.mapper.to_domain_event(note)
            form = public_form(event)
            if form.name in self.selection:
                messages.append(self.envelopes.message(note.id, event, form,
                                                       self.owners.player(event)))
        return messages

    def _record(self, expected: int, position: int) -> None:
        try:
            self.place.advance(expected, position)
        except PositionMoved:
            raise LeaseLost(f"another relay moved {self.place.name}") from None

    def _failed(self, error: Exception, pause: float) -> None:  # float-ok: seconds
        message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if self.failures == 1:
            log.warning("relay %s: %s; retrying with back-off", self.place.name, message,
                        exc_info=not isinstance(error, (*EXPECTED, LeaseLost)))
        try:
            self.place.note(message)
        except Exception:  # noqa: BLE001 - the database may be what is away
            log.exception("relay %s could not note its error", self.place.name)


async def _wait(stop: asyncio.Event, seconds: float) -> bool:  # float-ok: seconds
    """Sleep up to `seconds`; True if `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        return False
    return True
