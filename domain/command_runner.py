"""The one command path: decide events on the aggregates, then save them once.

Commands only decide (load aggregates through a UnitOfWork, call their command
methods, return a result); this runner owns the transaction. Every aggregate a
command changed is saved with its Request record in one `save`, with optimistic
concurrency on each. A stale read loses the race with IntegrityError and the
command is decided again on fresh state. Batching many commands into one
transaction (group commit) is a change of this module alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.errors import Busy, InvalidInput
from domain.money import Currencies
from domain.request import Request, request_key
from domain.unit_of_work import UnitOfWork

MAX_ATTEMPTS = 30
LOCK_STRIPES = 256


class Command(Protocol):
    kind: ClassVar[str]
    request_id: str

    @property
    def partition(self) -> str:
        """Commands of one partition (a player) run one at a time per process."""

    def decide(self, uow: UnitOfWork) -> dict[str, Any]:
        """Call command methods on aggregates from `uow`; return the result."""


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    position: int | None
    replayed: bool = False


class CommandRunner:
    def __init__(self, app: Application[Any], currencies: Currencies):
        self._app = app
        self._currencies = currencies
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self.on_saved: list[Any] = []

    def execute(self, command: Command) -> Outcome:
        if not command.request_id or len(command.request_id) > 200:
            raise InvalidInput("requestId must be 1 to 200 characters", field="requestId")
        stripe = self._stripes[hash(command.partition) % LOCK_STRIPES]
        with stripe:
            for attempt in range(MAX_ATTEMPTS):
                try:
                    return self._attempt(command)
                except IntegrityError:
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise Busy("the wallet is busy; retry the same request")

    def _attempt(self, command: Command) -> Outcome:
        uow = UnitOfWork(self._app.repository, self._currencies)
        printed = fingerprint(command)
        prior = uow.find(request_key(command.kind, command.request_id))
        if prior is not None:
            return Outcome(prior.replay(printed), self._app.recorder.max_notification_id(),
                           replayed=True)
        result = command.decide(uow)
        uow.add(Request(kind=command.kind, request_id=command.request_id,
                        fingerprint=printed, result=result))
        recordings = self._app.save(*uow.changed())
        position = recordings[-1].notification.id
        for listener in self.on_saved:
            listener(position)
        return Outcome(result, position)


def fingerprint(command: Command) -> str:
    """A hash of the command's payload, to tell a retry from a reuse of its id."""
    payload = dataclasses.asdict(command)  # type: ignore[call-overload]
    payload.pop("request_id")
    canonical = json.dumps([command.kind, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
