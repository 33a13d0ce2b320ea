"""Blocked attempts: each bet or withdrawal a compliance rule refused, kept for
compliance to count and list (projections/compliance/blocked.py).

A refused command changes nothing, so the ledger records the refusal apart,
right after it (domain/ledger.py), keyed by the command's kind and requestId:
the same request refused again is one attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id


class BlockedAttempt(LedgerAggregate):
    @staticmethod
    def create_id(action: str, request_id: str, **_: Any) -> UUID:
        return natural_id("blocked", f"{action}|{request_id}")

    @event("Recorded")
    def __init__(self, player_id: str, action: str, request_id: str, reason: str,
                 rule: str, message: str):
        self.player_id = player_id
        self.reason = reason
        self.rule = rule


@command_result("blocked-recorded")
@dataclass(frozen=True)
class BlockedRecorded:
    attempt_id: str


@dataclass(frozen=True)
class RecordBlocked:
    kind: ClassVar[str] = "blocked"
    request_id: ClassVar[None] = None
    player_id: str
    action: str  # the refused command's kind (bet:provider, withdrawal)
    attempt: str  # its requestId
    reason: str
    rule: str
    message: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> BlockedRecorded:
        key = BlockedAttempt.create_id(self.action, self.attempt)
        if uow.find(key) is None:
            uow.add(BlockedAttempt(self.player_id, self.action, self.attempt,
                                   self.reason, self.rule, self.message[:500]))
        return BlockedRecorded(str(key))


def blocked_record(command: Any, refusal: Any) -> RecordBlocked | None:
    """What to record of a command a compliance rule refused (None: no player)."""
    player_id = getattr(refusal, "player_id", "") or getattr(command, "player_id", None)
    if not player_id:
        return None
    return RecordBlocked(player_id, command.kind, str(command.request_id),
                         refusal.reason, refusal.rule, str(refusal))
