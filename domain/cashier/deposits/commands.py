"""Deposit commands, run by the chain watcher: open, scan a block, rewind a fork.

Each is keyed by its chain and height (no requestId): scanning a block the
watch already holds, or opening a watch that exists, changes nothing, so a
watcher restarted mid-way credits nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.cashier.deposits.model import BELOW_MINIMUM, PENDING, Deposit, deposit_key
from domain.cashier.deposits.addresses import address_book_key
from domain.cashier.deposits.watch import ChainWatch, watch_key
from domain.compliance.deposits import credit_deposit, held_for
from domain.kernel.errors import NotFound
from domain.kernel.money import ZERO
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Incoming:
    """A transfer to a watched address, as the chain adapter reported it."""

    currency: str
    tx_hash: str
    index: int
    to_address: str
    amount: Decimal
    risk_score: int = 0  # the AML screen of the source address (KYT), when known


def watch_of(uow: UnitOfWork, chain: str) -> ChainWatch:
    found = uow.find(watch_key(chain))
    if found is None:
        raise NotFound(f"the {chain} watch was never opened", field="chain")
    return found


@dataclass(frozen=True)
class OpenWatch:
    """Start watching a chain after block (height, hash); a second open does nothing."""

    kind: ClassVar[str] = "chain-watch-open"
    request_id: ClassVar[None] = None
    chain: str
    height: int
    block_hash: str

    @property
    def partition(self) -> str:
        return f"chain:{self.chain}"

    def decide(self, uow: UnitOfWork) -> WatchOpened:
        uow.rules.cashier.chain(self.chain)
        found = uow.find(watch_key(self.chain))
        if found is None:
            found = uow.add(ChainWatch(self.chain, self.height, self.block_hash))
        return WatchOpened(self.chain, found.height)


@dataclass(frozen=True)
class ScanBlock:
    """Record one block: new deposits in it, and credit those now confirmed."""

    kind: ClassVar[str] = "chain-block"
    request_id: ClassVar[None] = None
    chain: str
    height: int
    block_hash: str
    parent_hash: str
    transfers: tuple[Incoming, ...] = ()

    @property
    def partition(self) -> str:
        return f"chain:{self.chain}"

    def decide(self, uow: UnitOfWork) -> BlockScanned:
        watch = watch_of(uow, self.chain)
        if watch.knows(self.height, self.block_hash):
            return BlockScanned(self.chain, self.height, (), ())
        watch.check_extends(self.height, self.parent_hash)
        detected = self._detect(uow)
        due = watch.due(self.height) + [d for d, (_, at) in detected.items()
                                         if at <= self.height]
        for deposit_id in due:
            self._credit(uow, uow.find(UUID(deposit_id)))
        watch.scanned(self.height, self.block_hash, detected, due)
        return BlockScanned(self.chain, self.height, tuple(detected), tuple(due))

    def _detect(self, uow: UnitOfWork) -> dict[str, list[int]]:
        """The transfers that became pending deposits in this block, by deposit id:
        [this height, the height at which they are due]."""
        book = uow.find(address_book_key(self.chain))
        detected = {}
        for t in self.transfers:
            player_id = book.owner(t.to_address) if book else None
            if player_id is None:
                continue
            deposit = uow.find(deposit_key(self.chain, t.tx_hash, t.index))
            if deposit is None:
                deposit = uow.add(self._new_deposit(uow, player_id, t))
                deposit.screened(t.risk_score)
            else:
                deposit.redetect(self.height, self.block_hash)
            if deposit.status == PENDING and deposit.block_height == self.height:
                detected[str(deposit.id)] = [self.height,
                                             self.height + deposit.required - 1]
        return detected

    def _new_deposit(self, uow: UnitOfWork, player_id: str, t: Incoming) -> Deposit:
        rules = uow.rules.cashier
        amount = uow.currencies.check(t.amount, t.currency)
        below = amount < rules.min_deposit.get(t.currency, ZERO)
        return Deposit(player_id=player_id, chain=self.chain, currency=t.currency,
                       tx_hash=t.tx_hash, index=t.index, address=t.to_address,
                       amount=amount, block_height=self.height,
                       block_hash=self.block_hash,
                       required=rules.chain(self.chain).confirmations,
                       status=BELOW_MINIMUM if below else PENDING)

    def _credit(self, uow: UnitOfWork, deposit: Deposit) -> None:
        """Credit a confirmed deposit, or hold it for review (domain/compliance/deposits.py)."""
        rule = held_for(uow, deposit)
        if rule is not None:
            deposit.hold(self.height, rule)
            return
        deposit.credit(self.height)
        credit_deposit(uow, deposit, f"chain:{self.chain}")


@dataclass(frozen=True)
class Rewind:
    """A reorg: forget the blocks above the fork point; their pending deposits are
    orphaned (a transfer mined again on the new branch is detected again)."""

    kind: ClassVar[str] = "chain-rewind"
    request_id: ClassVar[None] = None
    chain: str
    fork_height: int

    @property
    def partition(self) -> str:
        return f"chain:{self.chain}"

    def decide(self, uow: UnitOfWork) -> Rewound:
        watch = watch_of(uow, self.chain)
        orphaned = watch.above(self.fork_height)
        for deposit_id in orphaned:
            uow.find(UUID(deposit_id)).orphan()
        watch.rewind(self.fork_height, orphaned)
        return Rewound(self.chain, self.fork_height, tuple(orphaned))


@command_result("chain-watch-opened")
@dataclass(frozen=True)
class WatchOpened:
    chain: str
    height: int


@command_result("block-scanned")
@dataclass(frozen=True)
class BlockScanned:
    """A block's deposits: those it brought (pending) and those credited in it
    (by deposit id); a block scanned before brings none."""

    chain: str
    height: int
    detected: tuple[str, ...]
    credited: tuple[str, ...]


@command_result("chain-rewound")
@dataclass(frozen=True)
class Rewound:
    chain: str
    fork_height: int
    orphaned: tuple[str, ...]
