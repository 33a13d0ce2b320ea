"""Deterministic ids: uuid5 of natural keys, so a retry collides instead of paying twice."""

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6f2b5c0e-3a1d-5d8e-9c4f-2b7a1e0d9c33")


@lru_cache(maxsize=65_536, typed=True)  # players, wallets and games are named on every command
def natural_id(*parts: object) -> UUID:
    """The id of whatever the parts name (e.g. "wallet", player, currency)."""
    return uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts))
