"""Player brands: each player's brand other than the default, to filter views by brand.

A player who joined no brand is of the default brand, so a filter on the
default brand is "not in another brand" (`in_brand`).
"""

from __future__ import annotations

from typing import Any

from domain.brands.model import DEFAULT_BRAND
from domain.players.model import Player
from projections.engine.database import Cursor
from projections.engine.view import View


class PlayerBrandsView(View):
    name = "player_brands"
    tables = ("player_brands",)
    order_by = {"player_brands": "player_id"}
    schema = ("CREATE TABLE IF NOT EXISTS {s}player_brands (player_id TEXT PRIMARY KEY, "
              "brand TEXT NOT NULL)",)

    def apply(self, cursor: Cursor, batch: list[tuple[int, Any]]) -> None:
        cursor.executemany(
            "INSERT INTO {s}player_brands (player_id, brand) VALUES (?, ?)",
            [(e.player_id, e.brand) for _, e in batch if isinstance(e, Player.BrandJoined)])

    def players(self, brand: str) -> set[str]:
        """The players registered in `brand` (for the default brand: in another)."""
        with self.db.transaction(commit=False) as cursor:
            found = cursor.execute(
                "SELECT player_id FROM {s}player_brands WHERE brand "
                + ("<> ?" if brand == DEFAULT_BRAND else "= ?"), (brand,)).fetchall()
        return {row["player_id"] for row in found}


def in_brand(brand: str | None, column: str = "player_id") -> tuple[list[str], list[Any]]:
    """A clause (and its value) keeping the rows of `brand`'s players (None: all)."""
    if brand is None:
        return [], []
    inside = "NOT IN" if brand == DEFAULT_BRAND else "IN"
    test = "<>" if brand == DEFAULT_BRAND else "="
    return [f"{column} {inside} (SELECT player_id FROM {{s}}player_brands "
            f"WHERE brand {test} ?)"], [brand]


def wanted(brand: str | None, player_id: str | None, others: set[str]) -> bool:
    """Whether a player's row is `brand`'s, given `players(brand)` as `others`."""
    if brand is None:
        return True
    if player_id is None:
        return False
    return (player_id not in others) if brand == DEFAULT_BRAND else (player_id in others)
