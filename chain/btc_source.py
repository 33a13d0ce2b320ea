"""Watching Bitcoin for deposits over bitcoind JSON-RPC.

Uses getblockcount,
getblockhash and getblock (verbosity 1 for headers, 3 for transactions with
their outputs' values and addresses and the outputs their inputs spend,
bitcoind 25 and later). A deposit is one output paying a watched address:
keyed by txid and output index; its source (for KYT) is the address of the
transaction's first input. The node's network is checked once at start by
`chain.btc_rpc.connect_bitcoind`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from chain.btc_rpc import BitcoindRpc, RpcError
from chain.errors import BlockNotFound
from chain.interfaces import BlockHeader, Transfer

GENESIS_PARENT = "0" * 64
NO_SUCH_BLOCK = {-8, -5}  # height out of range, block not found


class BitcoinBlockSource:
    def __init__(self, rpc: BitcoindRpc, chain: str = "bitcoin", currency: str = "BTC"):
        self.rpc = rpc
        self.chain = chain
        self.currency = currency

    def tip(self) -> int:
        return self.rpc.call("getblockcount")

    def header(self, height: int) -> BlockHeader:
        block = self._block(height, verbosity=1)
        return BlockHeader(height, block["hash"], block.get("previousblockhash", GENESIS_PARENT),
                           datetime.fromtimestamp(block["time"], UTC))

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        wanted = addresses if isinstance(addresses, (set, frozenset)) else set(addresses)
        block = self._block(height, verbosity=3)
        return [
            Transfer(self.chain, self.currency, tx["txid"], output["n"],
                     output["scriptPubKey"]["address"], output["value"], height, block["hash"],
                     sender(tx))
            for tx in block["tx"] for output in tx["vout"]
            if output["scriptPubKey"].get("address") in wanted and output["value"] > 0
        ]

    def _block(self, height: int, verbosity: int) -> dict:
        try:
            block_hash = self.rpc.call("getblockhash", height)
            block = self.rpc.call("getblock", block_hash, verbosity)
        except RpcError as error:
            if error.code in NO_SUCH_BLOCK:
                raise BlockNotFound(str(error)) from error
            raise
        if block["height"] != height or block["confirmations"] < 1:
            raise BlockNotFound(f"{self.chain} block {height} changed while read")
        return block


def sender(tx: dict) -> str:
    """The address of the output the first input spends ("": none, a coinbase)."""
    inputs = tx.get("vin") or [{}]
    return inputs[0].get("prevout", {}).get("scriptPubKey", {}).get("address", "")
