"""A reaction: a follower of the log whose effect is commands, not rows.

It tracks its position like a view, so it sees each event at least once, and
the commands it issues are keyed by requestIds derived from the events, so
each takes effect exactly once even if a batch is reacted to twice. A
command that fails stops the reaction at that batch; nothing is skipped. A
command carries the trace id of the event it reacts to, so what a request
causes later (a settlement's rakeback) is traced to it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from domain.commanding.runner import Command
from domain.kernel.tracing import trace_of, traced
from domain.ledger import Ledger
from projections.engine.database import Cursor, ViewDatabase
from projections.engine.view import View


LANES = 16


class Reaction(View):
    tables = ()
    schema = ()
    order_by: dict[str, str] = {}

    def __init__(self, db: ViewDatabase, ledger: Ledger):
        super().__init__(db)
        self.ledger = ledger

    def commands(self, event: Any) -> Iterator[Command]:
        """The commands an event calls for."""
        raise NotImplementedError

    def react(self, batch: list[tuple[int, Any]]) -> None:
        """Run the batch's commands: in order within a partition, partitions at once.

        Submitted together, the commands share group-commit transactions instead
        of taking one each; those of one partition (one bet) keep their order.
        """
        lanes: dict[str, list[tuple[str | None, Command]]] = {}
        for _, event in batch:
            trace = trace_of(event)  # the request behind the event, onto what it causes
            for command in self.commands(event):
                lanes.setdefault(command.partition, []).append((trace, command))
        if len(lanes) <= 1:
            self._run_lane(next(iter(lanes.values()), []))
            return
        with ThreadPoolExecutor(min(LANES, len(lanes))) as pool:
            # Draining the results re-raises the first failure; the batch is then
            # reacted to again, which the commands' requestIds make harmless.
            list(pool.map(self._run_lane, lanes.values()))

    def _run_lane(self, commands: list[tuple[str | None, Command]]) -> None:
        for trace, command in commands:
            with traced(trace):
                self.ledger.execute(command)

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        """A reaction keeps no rows; only its position moves."""
