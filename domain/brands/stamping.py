"""The one place events get their brand, and scoped callers are held to theirs.

Once a command is decided (domain/commanding/runner.py), each event it added
is stamped with the brand of its aggregate's player (a bet, a wallet, a
rakeback account...), or with the command's brand for an aggregate of no
player (its Request record), like its trace id: beside its fields, never in
its payload. A caller scoped to a brand (tracing.scope) may change only that
brand's players: touching another's is refused as if the player did not exist
(404, never data), and a player it meets unregistered is registered in its
brand. The brands come from the unit's directory, so a player met before costs
no query.
"""

from __future__ import annotations

from domain.brands.model import ATTRIBUTE, DEFAULT_BRAND
from domain.commanding.unit_of_work import UnitOfWork
from domain.kernel import tracing
from domain.kernel.errors import NotFound


def stamp_brands(uow: UnitOfWork) -> None:
    changed = uow.changed()
    if not changed:
        return
    scope = tracing.scope()
    if scope is not None:
        hold_to_scope(uow, scope, {a.player_id for a in changed if hasattr(a, "player_id")})
        changed = uow.changed()
    for aggregate in changed:
        player_id = getattr(aggregate, "player_id", None)
        brand = (uow.brand_for(player_id) or DEFAULT_BRAND if player_id is not None
                 else uow.brand or scope)
        if brand is not None:
            for event in aggregate.pending_events:
                object.__setattr__(event, ATTRIBUTE, brand)


def hold_to_scope(uow: UnitOfWork, scope: str, player_ids: set[str]) -> None:
    for player_id in sorted(player_ids):
        brand = uow.brand_for(player_id)
        if brand is None:
            uow.player(player_id)  # first met by this brand: registered in it
        elif brand != scope:
            raise NotFound(f"no player {player_id!r}", field="playerId")
