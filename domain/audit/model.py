"""Audit records in the log itself: signed checkpoints of the hash chain, and exports.

A checkpoint is an Ed25519-signed statement "the chain's hash at position P
is H" (docs/audit.md). It is an event, so it is chained too: removing or
altering one breaks the chain after it. Its id is derived from P, so taking
a checkpoint of the same head twice records it once. Each export of the log
is recorded as well: who asked, what they selected, and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id
from domain.commanding.unit_of_work import UnitOfWork


class AuditCheckpoint(LedgerAggregate):
    @staticmethod
    def create_id(document: dict[str, Any], **_: Any) -> UUID:
        return checkpoint_id(document["position"])

    @event("Signed")
    def __init__(self, document: dict[str, Any], actor: str):
        self.document = document
        self.actor = actor


def checkpoint_id(position: int) -> UUID:
    return natural_id("audit-checkpoint", position)


class AuditExport(LedgerAggregate):
    @staticmethod
    def create_id(export_id: str, **_: Any) -> UUID:
        return natural_id("audit-export", export_id)

    @event("Recorded")
    def __init__(self, export_id: str, actor: str, role: str, selection: dict[str, Any],
                 up_to: int, at: datetime):
        self.export_id = export_id
        self.actor = actor
        self.role = role
        self.selection = selection
        self.up_to = up_to
        self.at = at


@dataclass(frozen=True)
class RecordCheckpoint:
    """Keep a signed checkpoint; one already kept for that position stands."""

    kind: ClassVar[str] = "audit-checkpoint"
    request_id: ClassVar[None] = None
    document: dict[str, Any]
    actor: str

    @property
    def partition(self) -> str:
        return "audit"

    def decide(self, uow: UnitOfWork) -> CheckpointKept:
        found = uow.find(checkpoint_id(self.document["position"]))
        if found is None:
            found = uow.add(AuditCheckpoint(document=self.document, actor=self.actor))
        return CheckpointKept(found.document, found.actor)


@command_result("audit-checkpoint")
@dataclass(frozen=True)
class CheckpointKept:
    """The checkpoint kept for a position (the first one signed, on a repeat):
    its document exactly as signed (docs/audit.md names its fields), and who took it."""

    document: dict[str, Any]
    actor: str


@dataclass(frozen=True)
class RecordExport:
    """Record that an export was made (its id is fresh per export)."""

    kind: ClassVar[str] = "audit-export"
    request_id: ClassVar[None] = None
    export_id: str
    actor: str
    role: str
    selection: dict[str, Any]
    up_to: int
    at: datetime

    @property
    def partition(self) -> str:
        return "audit"

    def decide(self, uow: UnitOfWork) -> ExportRecorded:
        if uow.find(natural_id("audit-export", self.export_id)) is None:
            uow.add(AuditExport(export_id=self.export_id, actor=self.actor, role=self.role,
                                selection=self.selection, up_to=self.up_to, at=self.at))
        return ExportRecorded(self.export_id)


@command_result("audit-export")
@dataclass(frozen=True)
class ExportRecorded:
    export_id: str
