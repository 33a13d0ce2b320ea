"""The one command path: decide events on the aggregates, then save them once.

Commands only decide (load aggregates through a UnitOfWork, call their command
methods, return a result); a runner owns the transaction. Every aggregate a
command changed is saved with its Request record in one `save`, with optimistic
concurrency on each. A stale read loses the race with IntegrityError and the
command is decided again on fresh state. `GroupCommitRunner`
(domain/commanding/group_commit.py) batches many commands into one transaction on top of
this path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import threading
import time
from decimal import Decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.brands.model import BrandDirectory
from domain.brands.stamping import stamp_brands
from domain.kernel import tracing
from domain.kernel.clock import clock
from domain.kernel.errors import Busy, DomainError
from domain.rules import Rules
from domain.commanding.request import Request, request_key
from domain.commanding.results import stored_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.text import check_id, check_text

MAX_ATTEMPTS = 30
LOCK_STRIPES = 256


class StaleRead(Exception):
    """A command was refused on aggregates read at different moments; decide again."""


class Command(Protocol):
    request_id: str | None

    @property
    def kind(self) -> str:
        """What the command does; with the requestId, it keys the Request record."""

    @property
    def partition(self) -> str:
        """Commands of one partition (a player) run one at a time per process."""

    # Optionally, `caller`: who sent the requestId ("player:alice", "staff:bob"),
    # so that each caller has ids of its own (domain/request.py).

    def decide(self, uow: UnitOfWork) -> Any:
        """Call command methods on aggregates from `uow`; return the typed result
        (a frozen dataclass registered with `command_result`, domain/commanding/results.py)."""


@dataclass(frozen=True)
class Outcome:
    result: Any  # the command's typed result
    position: int | None
    replayed: bool = False


class CommandRunner:
    """Runs each command in its own transaction, retrying on a stale read."""

    def __init__(self, app: Any, rules: Rules):
        self.app = app
        self.rules = rules
        self.directory = BrandDirectory()  # players' brands met, for every command
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self.on_saved: list[Callable[[int], None]] = []
        # Told which aggregates each save wrote (the group-commit decider forgets
        # its copies of them).
        self.on_saved_aggregates: list[Callable[[list[Aggregate]], None]] = []

    def execute(self, command: Command) -> Outcome:
        check_input(command)
        stripe = self._stripes[hash(command.partition) % LOCK_STRIPES]
        with stripe:
            for attempt in range(MAX_ATTEMPTS):
                try:
                    return self._attempt(command)
                except (IntegrityError, StaleRead):
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise Busy("the wallet is busy; retry the same request")

    def _attempt(self, command: Command) -> Outcome:
        uow = UnitOfWork(self.app.repository, self.rules, directory=self.directory)
        with clock.pinned():  # the command's events take one time
            result, replayed = decide(command, uow)
        if replayed:
            return Outcome(result, self.replayed_position(command), replayed=True)
        return Outcome(result, position_in(command, self.save(uow.changed())))

    def save(self, aggregates: list[Aggregate], *, expect: dict[UUID, int] | None = None,
             ) -> dict[UUID, int]:
        """Save in one transaction; the log position of each aggregate's last event.
        With `expect` (aggregate id: version read, 0 for absent), refuse with
        StaleReads, saving nothing, if any of those has moved (event_store.py).

        A command's position is that of its Request record: it is added after
        every aggregate the command touched, so it is saved after all of the
        command's events, and a replay can find it again.
        """
        recordings = (self.app.save(*aggregates, expect=expect) if expect
                      else self.app.save(*aggregates))
        for written in self.on_saved_aggregates:
            written(aggregates)
        for listener in self.on_saved:
            listener(recordings[-1].notification.id)
        return {r.domain_event.originator_id: r.notification.id for r in recordings}

    def replayed_position(self, command: Command) -> int:
        """Where the first run of a repeated command is in the log (else the head)."""
        position = None
        if command.request_id is not None:
            position = self.app.position_of(key_of(command))
        return position or self.app.head()

    def close(self) -> None:
        """Nothing runs in the background here."""


def decide(command: Command, uow: UnitOfWork, *, optimistic: bool = False,
           ) -> tuple[Any, bool]:
    """`decided`, its events stamped with the command's trace id (in whichever
    thread decides it; domain/kernel/tracing.py) and their brand, under the
    rules of the brand of the command's player (domain/brands/stamping.py)."""
    with tracing.deciding(command):
        uow.about(getattr(command, "player_id", None))
        decision = decided(command, uow, optimistic=optimistic)
        stamp_brands(uow)
        return decision


def decided(command: Command, uow: UnitOfWork, *, optimistic: bool = False,
            ) -> tuple[Any, bool]:
    """The command's result and whether it is a replay of an earlier request.

    A command without a requestId is idempotent by its natural key (such as a
    PUT of a game): when it changes nothing, it counts as a replay.
    `optimistic` looks for an earlier Request only among the aggregates in
    memory, saving a query per command: a stored one makes the save fail with
    IntegrityError, and the single-command path then replays it.
    """
    if command.request_id is None:
        result = refusal_checked(command, uow)
        return result, not uow.changed()
    printed = fingerprint(command)
    key = key_of(command)
    prior = uow.peek(key) if optimistic else uow.find(key)
    if prior is None:
        try:
            result = refusal_checked(command, uow)
        except DomainError:
            # A first attempt may have committed (in another process) after the
            # lookup above: its effects are why this one was refused.
            prior = uow.find(key)
            if prior is None:
                raise
    if prior is None and not uow.changed() and optimistic:
        # No save will meet a stored Request: look it up now (the group-commit
        # decider assumes it absent and checks that with the batch's other reads).
        prior = uow.assume_absent(key)
    if prior is not None:
        return prior.replay(printed), True
    if not uow.changed() and getattr(command, "quiet_when_unchanged", False):
        return result, True  # it opted out: nothing happened, so nothing is recorded
    uow.add(Request(kind=command.kind, request_id=command.request_id,
                    fingerprint=printed, result=stored_result(result),
                    caller=caller_of(command)))
    return result, False


def refusal_checked(command: Command, uow: UnitOfWork) -> Any:
    """Decide; a refusal stands only if everything it read is still current."""
    try:
        return command.decide(uow)
    except DomainError:
        if uow.stale():
            raise StaleRead(command.kind) from None
        raise


def position_in(command: Command, positions: dict[UUID, int]) -> int:
    """A command's log position: its Request record's, else its last event's."""
    if command.request_id is None:
        return max(positions.values())
    return positions[key_of(command)]


def caller_of(command: Command) -> str:
    return getattr(command, "caller", "")


def key_of(command: Command) -> UUID:
    """The id of the command's Request record."""
    return request_key(command.kind, command.request_id, caller_of(command))


def check_input(command: Command) -> None:
    """Ids and text the edges should have refused: nothing unstorable is decided."""
    if command.request_id is not None:
        check_id(command.request_id, "requestId")
    for field in dataclasses.fields(command):  # type: ignore[arg-type]
        _check_strings(getattr(command, field.name), field.name)


def _check_strings(value: object, field: str) -> None:
    if isinstance(value, str):
        check_text(value, field, max_length=None)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_strings(item, field)
    elif dataclasses.is_dataclass(value):
        for inner in dataclasses.fields(value):
            _check_strings(getattr(value, inner.name), field)


def _canonical(value: object) -> str:
    """Numbers by value ("25" and "25.00" are the same payout), the rest as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def fingerprint(command: Command) -> str:
    """A hash of the command's payload, to tell a retry from a reuse of its id.

    Stored in each Request record, so its bytes never change: the payload is
    what `dataclasses.asdict` gives (without its deep copies, a tenth of a
    bet's deciding), as sorted JSON."""
    payload = plain_fields(command)
    payload.pop("request_id", None)
    canonical = json.dumps([command.kind, payload], sort_keys=True, default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def plain_fields(value: Any) -> Any:
    """`dataclasses.asdict` as JSON sees it: dataclasses as dicts of their fields,
    lists and tuples as lists, everything else as it is."""
    names = _FIELD_NAMES.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: plain_fields(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [plain_fields(item) for item in value]
    if isinstance(value, dict):
        return {key: plain_fields(item) for key, item in value.items()}
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
