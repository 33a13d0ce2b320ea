"""Maps web3, eth-tester and node (JSON-RPC) errors to `chain.errors`.

eth-tester raises Python exceptions (eth_utils ValidationError) where a node
answers JSON-RPC errors (Web3RPCError), and an unreachable node raises
connection errors. Reads run inside `node_errors()`, sends inside
`send_errors()`; the original error is chained as `__cause__`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from eth_utils import ValidationError
from web3.exceptions import (
    BlockNotFound as Web3BlockNotFound,
)
from web3.exceptions import (
    ProviderConnectionError,
    RequestTimedOut,
    TooManyRequests,
    Web3Exception,
    Web3RPCError,
)

from chain.errors import (
    BlockNotFound,
    ChainUnavailable,
    InsufficientHotFunds,
    TransactionRejected,
)

UNREACHABLE = (
    OSError, requests.RequestException, ProviderConnectionError,
    RequestTimedOut, TooManyRequests,
)
FUNDS_MESSAGES = ("insufficient funds", "not have enough", "insufficient balance")


@contextmanager
def node_errors() -> Iterator[None]:
    """A read: unreachable or failing node -> ChainUnavailable; no such
    block -> BlockNotFound."""
    try:
        yield
    except Web3BlockNotFound as error:
        raise BlockNotFound(str(error)) from error
    except (*UNREACHABLE, Web3RPCError) as error:
        raise ChainUnavailable(f"EVM node failed: {error}") from error


@contextmanager
def send_errors() -> Iterator[None]:
    """A send: unreachable -> ChainUnavailable; refused for lack of funds ->
    InsufficientHotFunds; any other refusal -> TransactionRejected."""
    try:
        yield
    except UNREACHABLE as error:
        raise ChainUnavailable(f"EVM node unreachable: {error}") from error
    except (ValidationError, Web3Exception, ValueError) as error:
        raise rejection(error) from error


def rejection(error: Exception) -> Exception:
    text = str(error)
    if any(message in text.lower() for message in FUNDS_MESSAGES):
        return InsufficientHotFunds(f"hot wallet cannot pay: {text}")
    return TransactionRejected(text)
