"""Personal data: profiles sealed with each player's data key, and their erasure.

The one place that sees a clear profile: it seals it before the command
(domain/privacy/commands.py), and opens it on read. Erasing records the
erasure in the log first, then destroys the data key (projections/privacy/
keys.py): should the second step fail, erasing again finishes it.
"""

from __future__ import annotations

from typing import Any

from domain.commanding.runner import Outcome
from domain.kernel.errors import Conflict, NotFound
from domain.ledger import Ledger
from domain.privacy.commands import EraseProfile, RecordProfile
from domain.privacy.crypto import Unreadable, seal, unseal
from projections.privacy.keys import DataKeys, Erased
from projections.privacy.profiles import ProfilesView


class Privacy:
    def __init__(self, ledger: Ledger, keys: DataKeys, profiles: ProfilesView):
        self.ledger = ledger
        self.keys = keys
        self.profiles = profiles

    def record(self, player_id: str, fields: dict[str, Any]) -> Outcome:
        try:
            key = self.keys.key_of(player_id, create=True)
        except Erased:
            raise Conflict(f"the profile of {player_id!r} was erased") from None
        assert key is not None
        return self.ledger.execute(RecordProfile(player_id, seal(key, player_id, fields)))

    def erase(self, player_id: str, actor: str, reason: str) -> Outcome:
        outcome = self.ledger.execute(EraseProfile(player_id, actor, reason))
        self.keys.destroy(player_id)
        return outcome

    def read(self, player_id: str) -> dict[str, Any]:
        """{"erased": bool, "profile": the clear fields, or None once erased}."""
        row = self.profiles.of(player_id)
        if row is None:
            raise NotFound(f"no profile for player {player_id!r}")
        return {"erased": row["erased"] or row["sealed"] is None,
                "profile": self.opened(player_id, row["sealed"]),
                "updatedAt": row["updatedAt"]}

    def opened(self, player_id: str, sealed: str | None) -> dict[str, Any] | None:
        """The clear profile of a sealed text, or None when its key is gone."""
        if sealed is None:
            return None
        try:
            key = self.keys.key_of(player_id)
            return None if key is None else unseal(key, player_id, sealed)
        except (Erased, Unreadable):
            return None
