"""The bus: a NATS JetStream stream, published to in log order through nats-py.

A session is one connection, never reconnected by the client: messages the
client buffered while a connection was down would go out after it came back,
behind messages that got through, so a broken connection ends the session and
the relay starts a new one from what the stream holds (`tail`).

Every message carries `Nats-Msg-Id` (its log position: JetStream drops a
re-publish within the duplicate window and acknowledges it as a duplicate)
and `Nats-Expected-Last-Sequence` (the stream's last sequence it must follow):
a message lands only right after the one before it, so a message lost on the
way fails every later one instead of leaving a gap, and a second publisher
(a relay whose lease lapsed) is refused. Publishes are pipelined: a window
of up to `in_flight` goes out at once, in order, and its acknowledgements are
awaited before the next.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import nats
from nats.js import api
from nats.js.errors import NotFoundError

from projections.relay.messages import Message

MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST = "Nats-Expected-Last-Sequence"


@dataclass(frozen=True)
class StreamSettings:
    name: str
    subjects: list[str]
    retention: str  # limits | interest | workqueue
    duplicate_window: int  # seconds
    max_age: int  # seconds, 0: kept until the retention removes them


@dataclass(frozen=True)
class Published:
    acked: int  # how many messages, from the first, the stream acknowledged
    last_seq: int  # the stream's last sequence after them
    failure: BaseException | None


class JetStream:
    def __init__(self, url: str, stream: StreamSettings, *, in_flight: int,
                 ack_timeout: float):  # float-ok: seconds
        self.url = url
        self.stream = stream
        self.in_flight = in_flight
        self.ack_timeout = ack_timeout
        self._nc: Any = None
        self._js: Any = None

    async def connect(self) -> None:
        self._nc = await nats.connect(self.url, allow_reconnect=False,
                                      connect_timeout=self.ack_timeout,
                                      max_reconnect_attempts=0, error_cb=_quiet)
        # The client's own bound never blocks: `publish` keeps at most `in_flight`
        # unacknowledged, a window at a time.
        self._js = self._nc.jetstream(timeout=self.ack_timeout,
                                      publish_async_max_pending=self.in_flight + 1)

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                await self._nc.close()
            except Exception:  # noqa: BLE001 - a dead connection has nothing to close
                pass
        self._nc = self._js = None

    async def ensure_stream(self) -> None:
        """Create the stream if it is missing (one that exists is left as it is)."""
        try:
            await self._js.stream_info(self.stream.name)
        except NotFoundError:
            settings = self.stream
            await self._js.add_stream(api.StreamConfig(
                name=settings.name, subjects=settings.subjects,
                retention=api.RetentionPolicy(settings.retention),
                duplicate_window=settings.duplicate_window,
                max_age=settings.max_age or None,
                storage=api.StorageType.FILE, discard=api.DiscardPolicy.OLD))

    async def tail(self) -> tuple[int, int | None]:
        """The stream's last sequence, and the log position of its last message
        (None: empty, or that message is gone, removed by the retention)."""
        info = await self._js.stream_info(self.stream.name)
        last = info.state.last_seq
        if not last:
            return 0, None
        try:
            message = await self._js.get_msg(self.stream.name, last)
        except NotFoundError:
            return last, None
        found = (message.headers or {}).get(MSG_ID, "")
        if not found.isdigit():
            raise ValueError(f"stream {self.stream.name}'s last message ({last}) was not "
                             "published by the relay: the stream must be the relay's own")
        return last, int(found)

    async def publish(self, messages: list[Message], last_seq: int) -> Published:
        """Publish in order, pipelined; how far the stream acknowledged them."""
        futures: list[asyncio.Future[Any]] = []
        failure: BaseException | None = None
        try:
            for start in range(0, len(messages), self.in_flight):
                window = await self._send(messages[start:start + self.in_flight],
                                          last_seq + start)
                futures += window
                _, waiting = await asyncio.wait(window, timeout=self.ack_timeout)
                if waiting or any(f.cancelled() or f.exception() for f in window):
                    break
        except Exception as error:  # noqa: BLE001 - what was sent is still counted
            failure = error
        acked = 0
        for future in futures:
            problem = _problem(future)
            if problem is not None:
                failure = failure or problem
                break
            ack = future.result()
            if not ack.duplicate:  # a duplicate is in the stream already, further back
                last_seq = ack.seq
            acked += 1
        for future in futures:  # retrieve every outcome; cancel what never came
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()
        return Published(acked, last_seq, failure)


    async def _send(self, window: list[Message], expected: int) -> list[asyncio.Future[Any]]:
        """Hand a window of messages to the client without yielding to the event
        loop between them, so they go out in a few large writes."""
        return [await self._js.publish_async(
            message.subject, message.body,
            headers={MSG_ID: str(message.position), EXPECTED_LAST: str(expected + n)})
            for n, message in enumerate(window)]


def _problem(future: asyncio.Future[Any]) -> BaseException | None:
    if not future.done():
        return TimeoutError("no acknowledgement from the broker in time")
    if future.cancelled():
        return TimeoutError("the publish was cancelled")
    return future.exception()


async def _quiet(error: Exception) -> None:
    """nats-py reports connection errors here too; the session raises them itself."""
