"""A Solana cluster's JSON-RPC (the methods the cashier uses) and the chain as
configured. Amounts on the wire are integers (lamports: 1 SOL = 10**9;
token base units). `connect_solana` checks the genesis hash (main-beta's by
default), so a devnet or testnet node is refused on main net."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from chain.errors import ChainMismatch, ChainUnavailable
from chain.units import token_for, to_coins, to_units  # noqa: F401 - re-exported

MAINNET_GENESIS = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
LAMPORTS = 9


@dataclass(frozen=True)
class SplToken:
    currency: str
    mint: str
    decimals: int


@dataclass(frozen=True)
class SolanaChain:
    name: str = "solana"
    native_currency: str = "SOL"
    tokens: tuple[SplToken, ...] = ()
    genesis: str | None = MAINNET_GENESIS

    def token(self, currency: str) -> SplToken | None:
        return token_for(self, self.tokens, currency)


class RpcError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


class SolanaRpc:
    def __init__(self, url: str, timeout: float = 10):  # float-ok: seconds
        self.url = url
        self.timeout = timeout
        self._id = 0

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ChainUnavailable(f"solana node {self.url}: {error}") from None
        if "error" in answer:
            raise RpcError(answer["error"].get("code", 0), answer["error"].get("message", ""))
        return answer["result"]


def connect_solana(url: str, chain: SolanaChain) -> SolanaRpc:
    rpc = SolanaRpc(url)
    if chain.genesis is not None:
        genesis = rpc.call("getGenesisHash")
        if genesis != chain.genesis:
            raise ChainMismatch(f"{chain.name}: the node's genesis hash is {genesis}, "
                                f"expected {chain.genesis}")
    return rpc
