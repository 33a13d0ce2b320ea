"""ERC-20 tokens on an EVM chain: their configuration, ABI, and unit scaling.

The watcher reads `Transfer(address,address,uint256)` logs; topics are
compared as lower-case hex strings (eth-tester silently matches nothing on
bytes topics, and nodes return hex).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_utils import keccak, to_checksum_address

from chain.units import to_coins, to_units  # noqa: F401 - the EVM adapters import them here

CONTRACTS = Path(__file__).parent / "contracts"
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


@dataclass(frozen=True)
class Erc20Token:
    """A token the cashier accepts: its ledger currency code (e.g. USDT), its
    contract address, and its decimals (checked against the contract at start)."""

    currency: str
    address: str
    decimals: int

    def __post_init__(self):
        object.__setattr__(self, "address", to_checksum_address(self.address))


@dataclass(frozen=True)
class EvmChain:
    """One EVM chain as configured: its name in `Transfer.chain` (ethereum,
    bsc, ...), the chain id the node must report, the native coin's ledger
    code, its tokens, whether it prices gas with EIP-1559, and the gas limit
    of a token transfer (unused gas is refunded; the fee quoted is the cap)."""

    name: str
    chain_id: int
    native_currency: str
    tokens: tuple[Erc20Token, ...] = ()
    eip1559: bool = True
    native_decimals: int = 18
    token_gas_limit: int = 100_000

    def token(self, currency: str) -> Erc20Token | None:
        """The token for `currency`, or None for the native coin; raises
        ValueError for a currency this chain does not carry."""
        if currency == self.native_currency:
            return None
        for token in self.tokens:
            if token.currency == currency:
                return token
        raise ValueError(f"{self.name} carries no currency {currency!r}")


@cache
def erc20_abi() -> list[dict]:
    """The ABI of the project's ERC-20 (the standard functions and events)."""
    return json.loads((CONTRACTS / "TestToken.abi.json").read_text())


@cache
def test_token_bytecode() -> str:
    """Bytecode of `contracts/TestToken.sol`, for deploying on local chains."""
    return (CONTRACTS / "TestToken.bin").read_text().strip()
