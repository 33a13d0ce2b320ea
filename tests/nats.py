"""NATS JetStream for the tests: the machine's server, a scratch server, streams.

The machine's server (127.0.0.1:4222, JetStream on; `.ci/run` starts it) is
where most tests publish; a test that stops the broker starts a scratch
`nats-server` of its own, on its own port with JetStream in its tmp dir, from
the machine's binary. A server that cannot be reached fails the test. Each
test's streams have names of their own and are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.errors import NotFoundError

MACHINE_NATS = "nats://127.0.0.1:4222"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def require_machine_nats() -> str:
    if not reachable(4222):
        pytest.fail("NATS is not listening on 127.0.0.1:4222 (.ci/run starts it)")
    return MACHINE_NATS


class ScratchNats:
    """A nats-server of one test, with JetStream on disk in its tmp dir."""

    def __init__(self, folder: Path):
        binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not Path(binary).exists():
            pytest.fail("no nats-server binary (Debian's nats-server; .ci/run installs it)")
        self.binary = binary
        self.port = free_port()
        self.store = folder / "jetstream"
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js",
             "-sd", str(self.store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not reachable(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"the scratch nats-server on {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


def stream_names() -> tuple[str, str]:
    """A stream name and subject prefix no other test uses."""
    tag = uuid.uuid4().hex[:12]
    return f"TEST_{tag}", f"test.{tag}"


def read_stream(url: str, stream: str, prefix: str) -> list[dict[str, Any]]:
    """Every message of the stream, in stream order, as a JetStream consumer sees it:
    its subject, headers and JSON body."""
    async def read() -> list[dict[str, Any]]:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            info = await js.stream_info(stream)
            messages = []
            if info.state.messages:
                consumer = await js.pull_subscribe(f"{prefix}.>", stream=stream)
                while len(messages) < info.state.messages:
                    batch = await consumer.fetch(min(1000, info.state.messages - len(messages)),
                                                 timeout=5)
                    for message in batch:
                        messages.append({"subject": message.subject,
                                         "headers": message.headers or {},
                                         "seq": message.metadata.sequence.stream,
                                         "body": json.loads(message.data)})
                        await message.ack()
                await consumer.unsubscribe()
            return messages
        finally:
            await nc.close()
    return asyncio.run(read())


def delete_stream(url: str, stream: str) -> None:
    async def delete() -> None:
        nc = await nats.connect(url)
        try:
            await nc.jetstream().delete_stream(stream)
        except NotFoundError:
            pass
        finally:
            await nc.close()
    asyncio.run(delete())


@pytest.fixture
def machine_nats() -> str:
    return require_machine_nats()


@pytest.fixture
def stream(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A stream name and prefix of this test's own on the machine's server, deleted
    afterwards."""
    url = require_machine_nats()
    names = stream_names()
    yield names
    delete_stream(url, names[0])
