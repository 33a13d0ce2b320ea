"""Request: the record that a command ran, keyed by its requestId.

Its id is uuid5 of the command kind, the caller and the requestId, and it is
saved in the same transaction as the command's events, so a command can
succeed at most once. It keeps the command's typed result in the domain's own
terms (domain/commanding/results.py). A repeat with the same payload gets the
same typed result;
with another payload it is a conflict. The caller (a player, a staff member;
providers are in the kind) scopes the requestId: one caller can neither block
nor probe another's ids. Commands that followers issue have no caller.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.commanding.results import result_from
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id


class Request(LedgerAggregate):
    @staticmethod
    def create_id(kind: str, request_id: str, caller: str = "", **_: Any) -> UUID:
        return request_key(kind, request_id, caller)

    @event("Recorded")
    def __init__(self, kind: str, request_id: str, fingerprint: str,
                 result: dict[str, Any], caller: str = ""):
        self.kind = kind
        self.request_id = request_id
        self.caller = caller
        self.fingerprint = fingerprint
        self.result = result

    def replay(self, fingerprint: str) -> Any:
        """The first (typed) result, if this is the same request again."""
        if fingerprint != self.fingerprint:
            raise Conflict(
                f"requestId {self.request_id!r} was already used for a different "
                f"{self.kind}", field="requestId")
        return self.outcome

    @property
    def outcome(self) -> Any:
        """The command's typed result."""
        return result_from(self.result, self.kind)


def request_key(kind: str, request_id: str, caller: str = "") -> UUID:
    if caller:
        return natural_id("request", kind, caller, request_id)
    return natural_id("request", kind, request_id)
