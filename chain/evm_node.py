"""Connecting to an EVM node and checking it serves the configured chain.

Any web3 provider works: `HTTPProvider(url)` to a node in production,
`EthereumTesterProvider` in tests. The chain id and each token's decimals
are read from the node at start and compared with configuration, so a
test-net node is never taken for main net.
"""

from __future__ import annotations

from datetime import UTC, datetime

from web3 import Web3
from web3.providers.base import BaseProvider

from chain.errors import ChainMismatch
from chain.evm_errors import node_errors
from chain.evm_tokens import EvmChain, erc20_abi


def connect_evm(provider: BaseProvider | Web3, chain: EvmChain) -> Web3:
    """A Web3 on `provider`, after checking chain id and token decimals;
    raises ChainMismatch on a difference, ChainUnavailable if unreachable."""
    w3 = provider if isinstance(provider, Web3) else Web3(provider)
    with node_errors():
        chain_id = w3.eth.chain_id
        if chain_id != chain.chain_id:
            raise ChainMismatch(
                f"{chain.name}: node reports chain id {chain_id}, configured {chain.chain_id}"
            )
        for token in chain.tokens:
            check_token(w3, chain, token)
    return w3


def check_token(w3: Web3, chain: EvmChain, token) -> None:
    if not w3.eth.get_code(token.address):
        raise ChainMismatch(f"{chain.name}: no contract at {token.currency} {token.address}")
    decimals = w3.eth.contract(token.address, abi=erc20_abi()).functions.decimals().call()
    if decimals != token.decimals:
        raise ChainMismatch(
            f"{chain.name}: {token.currency} has {decimals} decimals, configured {token.decimals}"
        )


def as_hex(value: bytes | str) -> str:
    """A hash as lower-case 0x-hex, whether web3 gave bytes or a string."""
    text = value if isinstance(value, str) else bytes(value).hex()
    text = text.lower()
    return text if text.startswith("0x") else "0x" + text


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
