"""Recording and erasing a player's sealed profile.

Both are idempotent by content: a profile seals to the same text each time
(domain/privacy/crypto.py), so recording it again changes nothing, and
erasing twice erases once. Sealing and destroying keys happen beside the log
(api/privacy_wiring.py); these commands see only sealed text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.errors import InvalidInput
from domain.privacy.model import Profile, profile_key


@command_result("profile-state")
@dataclass(frozen=True)
class ProfileState:
    player_id: str
    erased: bool


def profile(uow: UnitOfWork, player_id: str) -> Profile:
    found = uow.find(profile_key(player_id))
    return found or uow.add(Profile(player_id))


@dataclass(frozen=True)
class RecordProfile:
    kind: ClassVar[str] = "profile"
    request_id: ClassVar[None] = None
    player_id: str
    sealed: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> ProfileState:
        uow.player(self.player_id)  # a profile belongs to a registered player
        profile(uow, self.player_id).record(self.sealed)
        return ProfileState(self.player_id, erased=False)


@dataclass(frozen=True)
class EraseProfile:
    kind: ClassVar[str] = "profile-erasure"
    request_id: ClassVar[None] = None
    player_id: str
    actor: str
    reason: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> ProfileState:
        if not self.reason.strip():
            raise InvalidInput("reason: must not be empty", field="reason")
        profile(uow, self.player_id).erase(self.actor, self.reason)
        return ProfileState(self.player_id, erased=True)
