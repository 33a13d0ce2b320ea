"""Who sends a command, for the commands a player sends about themselves."""

from __future__ import annotations


class PlayersOwn:
    """A player's own command (a claim, a withdrawal): one at a time per player,
    and its requestId is the player's own (domain/commanding/request.py)."""

    player_id: str

    @property
    def partition(self) -> str:
        return self.player_id

    @property
    def caller(self) -> str:
        return f"player:{self.player_id}"
