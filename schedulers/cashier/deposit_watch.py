"""The deposit watcher of one chain: reads new blocks and hands them to the ledger.

Each step finds where the watch's remembered chain and the node's best chain
part (by block hash), rewinds to that fork point if they differ (orphaning
the deposits above it), then scans each new block in order: the ledger
records transfers to known addresses and credits the deposits now
confirmed (domain/cashier/deposits/commands.py). All its state is in the ledger
(the chain's ChainWatch), so a restarted watcher resumes where it stopped.
It only translates: every decision is the domain's. A failure names its
block, so a repeated one stops the watch there (schedulers/jobs/healing.py).
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from chain.interfaces import BlockSource, Transfer
from domain.cashier.aml import AmlScreen
from domain.cashier.deposits.addresses import address_book_key
from domain.cashier.deposits.commands import BlockScanned, Incoming, OpenWatch, Rewind, ScanBlock
from domain.cashier.deposits.watch import ChainWatch, ForkFound, watch_key
from domain.cashier.sweeps.model import top_up_marker
from domain.ledger import Ledger
from schedulers.jobs.healing import on_item

log = logging.getLogger(__name__)


class DeepReorg(Exception):
    """The chain forked below every block the watch remembers."""


class DepositWatcher:
    def __init__(self, ledger: Ledger, source: BlockSource, *,
                 start_height: int | None = None, max_blocks: int = 500,
                 aml: AmlScreen | None = None):
        self.ledger = ledger
        self.source = source
        self.aml = aml  # KYT: screens each transfer's source address, when reported
        self.chain = source.chain
        self.start_height = start_height
        self.max_blocks = max_blocks

    def step(self) -> dict[str, Any]:
        """Follow the chain up to its tip (at most `max_blocks`); what was done."""
        watch = self._watch()
        tip = self.source.tip()
        fork = self.fork_point(watch, tip)
        orphaned: tuple[str, ...] = ()
        if fork != watch.height:
            orphaned = self.ledger.execute(Rewind(self.chain, fork)).result.orphaned
            log.warning("%s: reorg above block %d; %d deposits orphaned", self.chain,
                        fork, len(orphaned))
        addresses = self._addresses()
        credited = detected = 0
        height = fork
        for height in range(fork + 1, min(tip, fork + self.max_blocks) + 1):
            with on_item(f"{self.chain} block {height}"):
                try:
                    result = self._scan(height, addresses)
                except ForkFound:  # the chain moved under us: the next step rewinds
                    height -= 1
                    break
            credited += len(result.credited)
            detected += len(result.detected)
        return {"chain": self.chain, "height": height, "tip": tip, "detected": detected,
                "credited": credited, "orphaned": len(orphaned)}

    def fork_point(self, watch: ChainWatch, tip: int) -> int:
        """The highest remembered block still on the best chain."""
        height = min(watch.height, tip)
        while height >= watch.oldest:
            if watch.knows(height, self.source.header(height).hash):
                return height
            height -= 1
        raise DeepReorg(f"{self.chain}: the chain forked below block {watch.oldest}, "
                        "the oldest the watch remembers")

    def _scan(self, height: int, addresses: list[str]) -> BlockScanned:
        header = self.source.header(height)
        transfers = tuple(incoming(t, self.aml) for t in self.source.transfers(height, addresses)
                          if t.block_hash == header.hash and not self._top_up(t))
        return self.ledger.execute(ScanBlock(
            self.chain, height, header.hash, header.parent_hash, transfers)).result

    def _top_up(self, transfer: Transfer) -> bool:
        """The hot wallet's gas for a token sweep (recorded before it was
        broadcast, domain/cashier/sweeps/): the house's coins, not a deposit."""
        try:
            self.ledger.repository.get(top_up_marker(self.chain, transfer.tx_hash))
        except AggregateNotFoundError:
            return False
        return True

    def _watch(self) -> ChainWatch:
        try:
            return self.ledger.repository.get(watch_key(self.chain))
        except AggregateNotFoundError:
            height = self.source.tip() if self.start_height is None else self.start_height
            header = self.source.header(height)
            self.ledger.execute(OpenWatch(self.chain, height, header.hash))
            return self.ledger.repository.get(watch_key(self.chain))

    def _addresses(self) -> list[str]:
        try:
            return list(self.ledger.repository.get(address_book_key(self.chain)).owners)
        except AggregateNotFoundError:
            return []


def incoming(transfer: Transfer, aml: AmlScreen | None = None) -> Incoming:
    score = (aml.screen(transfer.source, transfer.currency).score
             if aml is not None and transfer.source else 0)
    return Incoming(transfer.currency, transfer.tx_hash, transfer.index,
                    transfer.to_address, transfer.amount, score)
