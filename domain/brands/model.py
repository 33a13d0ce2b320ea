"""Brands: every player belongs to one brand of one company, for good.

A player's brand is set when the player is first registered (explicitly, or
implicitly by the first command that records the player, in the brand of the
caller's token or the default brand) and never changes, so a process may keep
what it has learnt (`BrandDirectory`) without asking the store again. Each
event is stamped with its brand beside its fields, like its trace id
(domain/brands/stamping.py); `brand_of` reads it back.
"""

from __future__ import annotations

import re
from typing import Any

DEFAULT_BRAND = "default"
ATTRIBUTE = "brand"  # the key in the stored event's state
BRAND_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def brand_of(event: Any) -> str | None:
    """The brand an event was stamped with (None: a group-level event, or older)."""
    return vars(event).get(ATTRIBUTE)


class BrandDirectory:
    """Player id -> brand, for the players this process has met registered.

    Only registered players are kept: an unregistered player may still be
    registered (in a scoped caller's brand), so absence is never remembered.
    Dictionary reads and writes are atomic, so threads share it without a lock.
    """

    def __init__(self, maxsize: int = 1_000_000):
        self.maxsize = maxsize
        self._brands: dict[str, str] = {}

    def get(self, player_id: str) -> str | None:
        return self._brands.get(player_id)

    def learn(self, player_id: str, brand: str) -> None:
        if len(self._brands) >= self.maxsize:
            self._brands.clear()  # rarely: relearnt from the aggregates as met
        self._brands[player_id] = brand
