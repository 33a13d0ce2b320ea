"""What the cashier needs from a blockchain, one protocol per job.

The domain (deposit watcher, withdrawal worker, reconciliation) codes against
these types only; adapters in `chain/` (web3 for EVM chains, bitcoind JSON-RPC
and bitcoinlib for Bitcoin) implement them. Amounts are always `Decimal` in
whole coins (ETH, BTC, USDT), never the chain's integer units. Hashes are
lower-case hex as each chain writes them: `0x`-prefixed on EVM chains, bare
on Bitcoin.
Chain and library failures surface as the exceptions of `chain.errors`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable


class InvalidAddress(ValueError):
    """An address refused for a chain and network; `str()` says why for a human
    (bad checksum, wrong network, wrong length, not on the curve, ...)."""


@dataclass(frozen=True)
class BlockHeader:
    """A block as the watcher remembers it: match on `hash`, not `height`, to
    see a reorg; `parent_hash` links it to the block below (fork-point search)."""

    height: int
    hash: str
    parent_hash: str
    timestamp: datetime  # timezone-aware UTC


@dataclass(frozen=True)
class Transfer:
    """Coins or tokens arriving at one watched address in one block.

    `(chain, tx_hash, index)` identifies it: `index` is the output index (BTC),
    the log index within the block (ERC-20), or 0 (a native EVM transfer, one
    per transaction). `currency` is the ledger's code (ETH, USDT, BTC);
    `to_address` is in the validator's canonical form.
    """

    chain: str
    currency: str
    tx_hash: str
    index: int
    to_address: str
    amount: Decimal
    block_height: int
    block_hash: str
    source: str = ""  # the sender's address where the chain says (KYT screens it)


@dataclass(frozen=True)
class SignedTransfer:
    """A signed, not yet broadcast, transaction. The domain records it before
    sending, so a retry broadcasts these same bytes again (same hash, same
    nonce) and can never pay twice. `fee` is the most it can cost, in
    `fee_currency` (ETH for an ERC-20 transfer on Ethereum)."""

    tx_hash: str
    raw: str  # hex of the signed transaction
    nonce: int | None  # None on chains without nonces (Bitcoin)
    fee: Decimal
    fee_currency: str


@dataclass(frozen=True)
class Receipt:
    """A mined transaction. `succeeded` is False for a reverted EVM transaction
    (its fee is still paid); `fee_paid` is the actual fee, in the chain's
    native coin."""

    tx_hash: str
    block_height: int
    block_hash: str
    succeeded: bool
    fee_paid: Decimal


@runtime_checkable
class AddressDeriver(Protocol):
    """Per-player deposit addresses from an extended PUBLIC key only (no private
    key on the API server): the same index always gives the same address."""

    def address(self, index: int) -> str:
        """The canonical address at non-hardened child `index` (0 <= index < 2**31)."""
        ...


@runtime_checkable
class AddressValidator(Protocol):
    """Checks a destination address for one chain and network."""

    def normalize(self, address: str) -> str:
        """The canonical form (EIP-55 checksum, lower-case bech32, ...) of a
        valid address; raises `InvalidAddress` with the reason otherwise."""
        ...


@runtime_checkable
class BlockSource(Protocol):
    """Reads blocks for the deposit watcher."""

    chain: str

    def tip(self) -> int:
        """Height of the newest block; confirmations = tip - height + 1."""
        ...

    def header(self, height: int) -> BlockHeader:
        """The block now at `height` on the best chain (raises `ChainUnavailable`
        if the node is unreachable, `BlockNotFound` above the tip)."""
        ...

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        """Native and token transfers in the block at `height` paying any of
        `addresses` (canonical forms), ordered by (tx position, index)."""
        ...


@runtime_checkable
class Sender(Protocol):
    """The hot wallet of one chain, for the withdrawal worker only (it holds
    the hot wallet's private key)."""

    chain: str

    def tip(self) -> int:
        """Height of the newest block (to count a sent transaction's confirmations)."""
        ...

    def hot_address(self) -> str:
        """The hot wallet's address (canonical form)."""
        ...

    def balance(self, currency: str) -> Decimal:
        """The hot wallet's balance of `currency`, read from the chain."""
        ...

    def balance_of(self, address: str, currency: str) -> Decimal:
        """The balance of any address (a watch-only cold wallet), from the chain."""
        ...

    def fee(self, currency: str) -> Decimal:
        """The estimated network fee of one withdrawal of `currency`, in the
        chain's native coin (what `sign` would put in `SignedTransfer.fee`)."""
        ...

    def next_nonce(self) -> int:
        """The hot wallet's next nonce as the chain counts it, pending
        transactions included (the worker keeps its own sequence from here)."""
        ...

    def sign(self, currency: str, destination: str, amount: Decimal,
             nonce: int) -> SignedTransfer:
        """Sign a transfer of `amount` (what the destination receives) with
        `nonce`, without broadcasting. Raises `InvalidAddress` for a bad
        destination and `InsufficientHotFunds` if the hot wallet cannot pay
        `amount` plus the fee."""
        ...

    def broadcast(self, signed: SignedTransfer) -> str:
        """Send the signed transaction; returns its hash. Idempotent: a
        transaction the node already knows (or has mined) is not an error."""
        ...

    def receipt(self, tx_hash: str) -> Receipt | None:
        """The receipt once mined on the best chain, else None (pending,
        dropped, or reorged out)."""
        ...
