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
of up to `in_flight` goes out at once, in order, each asking for its
acknowledgement on the session's inbox under its log position, and the
window's acknowledgements are awaited before the next.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import nats
import nats.js.errors
import orjson
from nats.js import api
from nats.js.errors import NotFoundError

from projections.relay.messages import Message

MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST = "Nats-Expected-Last-Sequence"
NO_RESPONDERS = "503"  # the `Status` of a reply when no stream takes the subject


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
        self._inbox = ""
        self._awaited = Acks(set())

    async def connect(self) -> None:
        self._nc = await nats.connect(self.url, allow_reconnect=False,
                                      connect_timeout=self.ack_timeout,
                                      max_reconnect_attempts=0, error_cb=_quiet)
        self._js = self._nc.jetstream(timeout=self.ack_timeout)
        self._inbox = self._nc.new_inbox()
        await self._nc.subscribe(f"{self._inbox}.*", cb=self._acknowledged,
                                 pending_msgs_limit=4 * self.in_flight + 1000)

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
        acked, first = 0, last_seq
        try:
            for start in range(0, len(messages), self.in_flight):
                window = messages[start:start + self.in_flight]
                replies = await self._window(window, first + start)
                for message in window:
                    problem = _problem(replies.get(message.position))
                    if problem is not None:
                        return Published(acked, last_seq, problem)
                    if not replies[message.position].get("duplicate"):
                        last_seq = replies[message.position]["seq"]
                    # a duplicate is in the stream already, further back
                    acked += 1
        except Exception as error:  # noqa: BLE001 - what was acknowledged still counts
            return Published(acked, last_seq, error)
        return Published(acked, last_seq, None)

    async def _window(self, window: list[Message], expected: int) -> dict[int, Any]:
        """Send a window of messages, each asking for its acknowledgement on this
        session's inbox under its log position, and wait for them all (or the
        timeout). nats-py's `publish_async` does this with a future, a semaphore
        and a task per message: half of a relayed event's cost."""
        self._awaited = awaited = Acks({m.position for m in window})
        for n, message in enumerate(window):
            await self._nc.publish(message.subject, message.body,
                                   reply=f"{self._inbox}.{message.position}",
                                   headers={MSG_ID: str(message.position),
                                            EXPECTED_LAST: str(expected + n)})
        try:
            await asyncio.wait_for(awaited.complete.wait(), timeout=self.ack_timeout)
        except asyncio.TimeoutError:
            pass  # what came is counted; the first missing one is the failure
        return awaited.replies

    async def _acknowledged(self, msg: Any) -> None:
        """An acknowledgement (or refusal) of a message of the current window."""
        position = int(msg.subject.rpartition(".")[2])
        if msg.headers and msg.headers.get("Status") == NO_RESPONDERS:
            reply: Any = nats.js.errors.NoStreamResponseError()
        else:
            reply = orjson.loads(msg.data)
            if "error" in reply:
                reply = nats.js.errors.APIError.from_error(reply["error"])
        self._awaited.note(position, reply)


class Acks:
    """The replies awaited for one window, by log position."""

    def __init__(self, positions: set[int]):
        self.positions = positions
        self.replies: dict[int, Any] = {}
        self.complete = asyncio.Event()
        if not positions:
            self.complete.set()

    def note(self, position: int, reply: Any) -> None:
        if position in self.positions:  # a late reply to an earlier window is dropped
            self.replies[position] = reply
            if len(self.replies) == len(self.positions):
                self.complete.set()


def _problem(reply: Any) -> BaseException | None:
    if reply is None:
        return TimeoutError("no acknowledgement from the broker in time")
    return reply if isinstance(reply, BaseException) else None


async def _quiet(error: Exception) -> None:
    """nats-py reports connection errors here too; the session raises them itself."""
