"""The ledger application: one event log for every aggregate of the casino.

One application means one notification log, so projections, audits and exports
follow a single total order, and a command touching several aggregates commits
them in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.bonus.model import BonusBook, BonusGrant
from domain.cashback.realtime import RealtimeCashback
from domain.cashback.tally import CashbackTally
from domain.commanding.group_commit import GroupCommitRunner
from domain.commanding.runner import Command, CommandRunner, Outcome
from domain.compliance.blocked import blocked_record
from domain.compliance.refusals import Blocked
from domain.kernel import tracing
from domain.legacy_results import register_legacy_results
from domain.legacy_topics import register_legacy_topics
from domain.players.model import player_key
from domain.rakeback.model import RakebackAccount
from domain.rules import Rules
from domain.wallet.model import Wallet, wallet_id

log = logging.getLogger(__name__)


class Ledger(Application):
    name = "Ledger"
    # Aggregates that grow with every bet are snapshotted, so loading one stays flat.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Wallet: 100, RakebackAccount: 100, CashbackTally: 100, BonusGrant: 100,
        BonusBook: 100, RealtimeCashback: 100}

    def __init__(self, env: dict[str, str], rules: Rules, *, group_commit: int = 0):
        """`group_commit` is the largest batch per transaction (0: one command each)."""
        register_legacy_topics()  # events stored before the context folders still load
        register_legacy_results()  # so do results recorded before they were typed
        super().__init__(env)
        self.rules = rules
        self.currencies = rules.currencies
        self.commands: CommandRunner | GroupCommitRunner = (
            GroupCommitRunner(self, rules, max_batch=group_commit)
            if group_commit else CommandRunner(self, rules))

    def execute(self, command: Command) -> Outcome:
        with tracing.carrying(command):  # the caller's trace id, to its events
            try:
                return self.commands.execute(command)
            except Blocked as refusal:
                if record := blocked_record(command, refusal):
                    self.commands.execute(record)
                raise

    async def execute_async(self, command: Command) -> Outcome:
        """`execute` for an event loop. With group commit the command is queued
        and awaited, holding no worker thread while it waits (the thread-pool hop
        cost a seventh of a bet request); without it, it runs in a thread."""
        with tracing.carrying(command):
            try:
                if isinstance(self.commands, GroupCommitRunner):
                    return await asyncio.wrap_future(self.commands.submit(command))
                return await asyncio.to_thread(self.commands.execute, command)
            except Blocked as refusal:  # kept for compliance (domain/compliance/blocked.py)
                if record := blocked_record(command, refusal):
                    await self.execute_async(record)
                raise

    def save(self, *aggregates: Any, **kwargs: Any) -> list[Any]:
        """`Application.save` for aggregates only (the command path saves nothing
        else). The library's version tells events from aggregates with runtime
        Protocol checks, which Python 3.11 makes a tenth of the writer's time."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def wallet(self, player_id: str, currency: str) -> Wallet | None:
        try:
            return self.repository.get(wallet_id(player_id, currency))
        except AggregateNotFoundError:
            return None

    def brand_of(self, player_id: str) -> str | None:
        """The player's brand (None: not registered), from the command path's
        directory when it knows it (domain/brands/model.py), else the store."""
        directory = self.commands.directory
        brand = directory.get(player_id)
        if brand is None:
            try:
                brand = self.repository.get(player_key(player_id)).brand
            except AggregateNotFoundError:
                return None
            directory.learn(player_id, brand)
        return brand

    def _take_snapshots(self, processing_event: Any) -> None:
        """Snapshots are taken after the commit: failing one must not fail the command."""
        try:
            super()._take_snapshots(processing_event)
        except Exception:  # noqa: BLE001 - the events are saved; the next save retries
            log.exception("taking a snapshot failed; the command's events are saved")

    def close(self) -> None:
        self.commands.close()
        super().close()

    def position_of(self, aggregate_id: UUID, version: int = 1) -> int | None:
        """The log position of an aggregate's event at `version` (default its first,
        e.g. a Request record).

        The library does not return notification ids with stored events, so
        this asks the events table directly.
        """
        recorder: Any = self.recorder
        if not hasattr(recorder, "datastore"):
            raise NotImplementedError("log positions of earlier requests need SQLite "
                                      "or PostgreSQL")
        if isinstance(recorder, SQLiteApplicationRecorder):
            statement = (f"SELECT rowid AS position FROM {recorder.events_table_name} "
                         "WHERE originator_id = ? AND originator_version = ?")
            key: Any = aggregate_id.hex
        else:
            statement = ("SELECT notification_id AS position FROM "
                         f'"{recorder.datastore.schema}"."{recorder.events_table_name}" '
                         "WHERE originator_id = %s AND originator_version = %s")
            key = aggregate_id
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (key, version))
            found = cursor.fetchone()
        return found["position"] if found else None

    def versions(self, ids: list[UUID]) -> dict[UUID, int]:
        """Each aggregate's stored version (absent: not stored), in one query."""
        return self.recorder.versions(ids)  # type: ignore[attr-defined]

    def started_at(self) -> datetime | None:
        """When the first event of the log happened (None for an empty log)."""
        first = self.recorder.select_notifications(start=None, limit=1)
        return self.mapper.to_domain_event(first[0]).timestamp if first else None

    def head(self) -> int:
        """The position of the newest event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0
