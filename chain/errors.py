"""The chain adapters' own errors, so the domain never sees a library's.

eth-tester, a node over HTTP, and bitcoind report the same failure in
different ways (a Python exception, a JSON-RPC error code, a refused
connection); each adapter maps them to these.
"""

from chain.interfaces import InvalidAddress

__all__ = [
    "BlockNotFound",
    "ChainError",
    "ChainMismatch",
    "ChainUnavailable",
    "InsufficientHotFunds",
    "InvalidAddress",
    "TransactionRejected",
]


class ChainError(Exception):
    """Base of every chain failure other than `InvalidAddress`."""


class ChainUnavailable(ChainError):
    """The node cannot be reached or answered garbage: retry later."""


class BlockNotFound(ChainError):
    """No block at that height (above the tip, or reorged away mid-read)."""


class ChainMismatch(ChainError):
    """The node serves another chain or network than configured (checked at
    start, so test-net coins are never taken for main-net ones)."""


class InsufficientHotFunds(ChainError):
    """The hot wallet cannot pay the amount plus the fee: leave the withdrawal
    queued and alert treasury."""


class TransactionRejected(ChainError):
    """The node refused a signed transaction for a reason other than already
    knowing it (nonce too low, fee too low, invalid)."""
