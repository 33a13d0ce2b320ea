"""Deposit addresses: one per player and chain, at an HD index allocated once.

The address book of a chain hands out indices 0, 1, 2... in order: one
aggregate per chain, so two players asking at once cannot get the same index
(the second save loses the optimistic race and is decided again). Each
player's address on a chain is its own aggregate keyed by (player, chain), so
asking again returns the same address; every currency of a chain (ETH and its
ERC-20 tokens) shares it. Addresses come from the chain's extended public key
(`derive`), so the API server holds no private key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.kernel.aggregate import LedgerAggregate
from domain.kernel.ids import natural_id
from domain.commanding.results import command_result
from domain.commanding.unit_of_work import UnitOfWork


class AddressBook(LedgerAggregate):
    """Every deposit address of one chain, by index, with its owner."""

    @staticmethod
    def create_id(chain: str, **_: Any) -> UUID:
        return address_book_key(chain)

    @event("Opened")
    def __init__(self, chain: str):
        self.chain = chain
        self.owners: dict[str, str] = {}  # address -> player
        self.size = 0

    def allocate(self, player_id: str, address: str) -> int:
        index = self.size
        self._allocated(index, player_id, address)
        return index

    def owner(self, address: str) -> str | None:
        return self.owners.get(address)

    @event("Allocated")
    def _allocated(self, index: int, player_id: str, address: str) -> None:
        self.owners[address] = player_id
        self.size = index + 1


class DepositAddress(LedgerAggregate):
    """A player's deposit address on one chain."""

    @staticmethod
    def create_id(player_id: str, chain: str, **_: Any) -> UUID:
        return deposit_address_key(player_id, chain)

    @event("Assigned")
    def __init__(self, player_id: str, chain: str, index: int, address: str):
        self.player_id = player_id
        self.chain = chain
        self.index = index
        self.address = address

def address_book_key(chain: str) -> UUID:
    return natural_id("address-book", chain)


def deposit_address_key(player_id: str, chain: str) -> UUID:
    return natural_id("deposit-address", player_id, chain)


@dataclass(frozen=True)
class AssignDepositAddress:
    """The player's address for a currency, allocated on first ask (natural key)."""

    kind: ClassVar[str] = "deposit-address"
    request_id: ClassVar[None] = None
    player_id: str
    currency: str
    derive: Callable[[int], str] = field(compare=False, repr=False)

    @property
    def partition(self) -> str:
        return "address-book"

    def decide(self, uow: UnitOfWork) -> AssignedAddress:
        uow.currencies.get(self.currency)
        chain = uow.rules.cashier.chain_of(self.currency).name
        found = uow.find(deposit_address_key(self.player_id, chain))
        if found is None:
            book = uow.find(address_book_key(chain)) or uow.add(AddressBook(chain))
            address = self.derive(book.size)
            index = book.allocate(self.player_id, address)
            found = uow.add(DepositAddress(self.player_id, chain, index, address))
        return AssignedAddress(self.player_id, self.currency, found.chain, found.index,
                               found.address)


@command_result("deposit-address")
@dataclass(frozen=True)
class AssignedAddress:
    """A player's deposit address for a currency (one per chain)."""

    player_id: str
    currency: str
    chain: str
    index: int
    address: str
