"""A player's profile (name, e-mail, date of birth, country, address), sealed.

The aggregate holds only the sealed text (domain/privacy/crypto.py): the
clear profile never reaches the log, the views or an export. Erasing records
who erased it and why; the data key is destroyed beside the log (the key
store), so the sealed copies stay in the log, hash chain intact, unreadable.
An erased profile is never recorded again.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id

FIELDS = ("name", "email", "dateOfBirth", "country", "address")


class Profile(LedgerAggregate):
    @staticmethod
    def create_id(player_id: str, **_: Any) -> UUID:
        return profile_key(player_id)

    @event("Opened")
    def __init__(self, player_id: str):
        self.player_id = player_id
        self.sealed: str | None = None
        self.erased = False

    def record(self, sealed: str) -> None:
        self.check_not_erased()
        if sealed != self.sealed:
            self._recorded(self.player_id, sealed)

    def erase(self, actor: str, reason: str) -> None:
        if not self.erased:
            self._erased(self.player_id, actor, reason)

    def check_not_erased(self) -> None:
        if self.erased:
            raise Conflict(f"the profile of {self.player_id!r} was erased")

    @event("Recorded")
    def _recorded(self, player_id: str, sealed: str) -> None:
        self.sealed = sealed

    @event("Erased")
    def _erased(self, player_id: str, actor: str, reason: str) -> None:
        self.sealed = None
        self.erased = True


def profile_key(player_id: str) -> UUID:
    return natural_id("profile", player_id)
