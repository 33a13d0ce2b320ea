"""ChainWatch: how far a chain's deposit watcher got, and what it must remember.

It keeps the last processed height, the hashes of the recent blocks (to find
the fork point of a reorg by hash, not by height) and the pending deposits
with their heights. A watcher that restarts reads it and resumes where it
stopped; a block scanned twice changes nothing. Confirmations are counted on
the watcher's own chain of linked hashes: a deposit at height h has
`height - h + 1` once the watcher has scanned up to `height`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.errors import Conflict
from domain.kernel.ids import natural_id

REMEMBERED = 256  # block hashes kept: the deepest reorg the watcher can follow


class ForkFound(Conflict):
    """The block does not extend the watcher's chain: find the fork point first."""


class ChainWatch(LedgerAggregate):
    @staticmethod
    def create_id(chain: str, **_: Any) -> UUID:
        return watch_key(chain)

    @event("Opened")
    def __init__(self, chain: str, height: int, block_hash: str):
        self.chain = chain
        self.height = height
        self.hashes: dict[int, str] = {height: block_hash}
        # deposit id -> [its block height, the watch height at which it is due]
        self.pending: dict[str, list[int]] = {}

    def knows(self, height: int, block_hash: str) -> bool:
        return self.hashes.get(height) == block_hash

    @property
    def oldest(self) -> int:
        return min(self.hashes)

    def check_extends(self, height: int, parent_hash: str) -> None:
        if height != self.height + 1:
            raise Conflict(f"{self.chain}: block {height} does not follow {self.height}")
        if self.hashes.get(self.height) != parent_hash:
            raise ForkFound(f"{self.chain}: block {height} is not on the watched chain")

    def due(self, height: int) -> list[str]:
        """The pending deposits confirmed enough once the watch reaches `height`."""
        return [d for d, (_, due) in self.pending.items() if due <= height]

    def above(self, height: int) -> list[str]:
        """The pending deposits in blocks above `height` (orphaned by a rewind there)."""
        return [d for d, (mined, _) in self.pending.items() if mined > height]

    def scanned(self, height: int, block_hash: str, detected: dict[str, list[int]],
                credited: list[str]) -> None:
        self._scanned(height, block_hash, detected, credited)

    def rewind(self, fork_height: int, orphaned: list[str]) -> None:
        if not self.oldest <= fork_height < self.height:
            raise Conflict(f"{self.chain}: cannot rewind to {fork_height} (remembered "
                           f"{self.oldest}..{self.height})")
        self._rewound(fork_height, orphaned)

    @event("BlockScanned")
    def _scanned(self, height: int, block_hash: str, detected: dict[str, list[int]],
                 credited: list[str]) -> None:
        self.height = height
        self.hashes[height] = block_hash
        self.hashes.pop(height - REMEMBERED, None)
        self.pending.update(detected)
        for deposit_id in credited:
            self.pending.pop(deposit_id, None)

    @event("Rewound")
    def _rewound(self, fork_height: int, orphaned: list[str]) -> None:
        for height in [h for h in self.hashes if h > fork_height]:
            del self.hashes[height]
        for deposit_id in orphaned:
            self.pending.pop(deposit_id, None)
        self.height = fork_height


def watch_key(chain: str) -> UUID:
    return natural_id("chain-watch", chain)
