"""An in-memory chain for unit tests of the watcher's pure logic (no node).

Blocks are (hash, parent) pairs on a list; `fork(height)` drops everything
above `height` so the next blocks get new hashes. End-to-end tests use the
real local chains of tests/chains instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal

from chain.errors import BlockNotFound
from chain.interfaces import BlockHeader, Transfer

_ids = itertools.count()


class FakeChain:
    chain = "ethereum"

    def __init__(self) -> None:
        self.blocks: list[tuple[str, list[Transfer]]] = [(self._hash(), [])]

    def _hash(self) -> str:
        return f"0x{next(_ids):064x}"

    def tip(self) -> int:
        return len(self.blocks) - 1

    def header(self, height: int) -> BlockHeader:
        if not 0 <= height < len(self.blocks):
            raise BlockNotFound(str(height))
        parent = self.blocks[height - 1][0] if height else "0x0"
        return BlockHeader(height, self.blocks[height][0], parent,
                           datetime(2026, 1, 1, tzinfo=UTC))

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        return [t for t in self.blocks[height][1] if t.to_address in addresses]

    def mine(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self.blocks.append((self._hash(), []))

    def pay(self, to: str, amount: str, currency: str = "ETH", tx: str = "") -> str:
        """A transfer mined in a new block (`tx` again: the same one re-mined)."""
        tx = tx or self._hash()
        height = len(self.blocks)
        block_hash = self._hash()
        self.blocks.append((block_hash, [Transfer(self.chain, currency, tx, 0, to,
                                                  Decimal(amount), height, block_hash)]))
        return tx

    def fork(self, height: int) -> None:
        del self.blocks[height + 1:]
