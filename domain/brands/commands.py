"""Registering a player in a brand: once, for good (a PUT: the same brand again
records nothing; another brand is a conflict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel.errors import Conflict, InvalidInput
from domain.players.model import player_key


@command_result("player-brand")
@dataclass(frozen=True)
class PlayerBrand:
    player_id: str
    brand: str
    company: str


@dataclass(frozen=True)
class RegisterPlayer:
    kind: ClassVar[str] = "player-registration"
    request_id: ClassVar[None] = None
    player_id: str
    brand: str

    @property
    def partition(self) -> str:
        return self.player_id

    def decide(self, uow: UnitOfWork) -> PlayerBrand:
        companies = uow.rules.companies
        if self.brand not in companies:
            raise InvalidInput(f"brand: {self.brand!r} is not a configured brand",
                               field="brand")
        found = uow.find(player_key(self.player_id))
        if found is None:
            found = uow.register(self.player_id, self.brand)
        elif found.brand != self.brand:
            raise Conflict(f"player {self.player_id!r} belongs to another brand",
                           field="brand")
        return PlayerBrand(self.player_id, found.brand, companies[found.brand])
