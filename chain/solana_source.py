"""Solana blocks for the deposit watcher over JSON-RPC; heights are slots.

SOL: the balance an account of a successful transaction gained
(`postBalances - preBalances`) where it is a watched address (index = its
account index). SPL tokens: what a token account of a configured mint owned
by a watched address gained (`postTokenBalances - preTokenBalances`; index
256 + the token account's index). A skipped slot has no block: its header
is made from its parent's (hash `skipped:<slot>:<parent hash>`), so the
watcher's chain of hashes stays linked and a fork still shows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timezone

from chain.errors import BlockNotFound
from chain.interfaces import BlockHeader, Transfer
from chain.solana_node import LAMPORTS, RpcError, SolanaChain, SolanaRpc
from chain.units import to_coins

SKIPPED = (-32007, -32009)
TOKEN_INDEX = 256
BLOCK_OPTIONS = {"encoding": "json", "transactionDetails": "full", "rewards": False,
                 "maxSupportedTransactionVersion": 0, "commitment": "confirmed"}


class SolanaBlockSource:
    def __init__(self, rpc: SolanaRpc, chain: SolanaChain):
        self.rpc = rpc
        self.solana = chain
        self.chain = chain.name
        self._mints = {t.mint: t for t in chain.tokens}

    def tip(self) -> int:
        return int(self.rpc.call("getSlot", {"commitment": "confirmed"}))

    def _block(self, slot: int) -> dict | None:
        if slot > self.tip():
            raise BlockNotFound(f"{self.chain}: slot {slot} is above the tip")
        try:
            return self.rpc.call("getBlock", slot, BLOCK_OPTIONS)
        except RpcError as error:
            if error.code in SKIPPED:
                return None
            raise

    def header(self, height: int) -> BlockHeader:
        block = self._block(height)
        if block is None:
            parent = self.header(height - 1)
            return BlockHeader(height, f"skipped:{height}:{parent.hash}", parent.hash,
                               parent.timestamp)
        return BlockHeader(height, block["blockhash"], block["previousBlockhash"],
                           datetime.fromtimestamp(block.get("blockTime") or 0, timezone.utc))

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        watched = addresses if isinstance(addresses, (set, frozenset)) else set(addresses)
        block = self._block(height)
        if block is None:
            return []
        found = []
        for entry in block.get("transactions", []):
            meta = entry.get("meta") or {}
            if meta.get("err") is not None:
                continue
            signature = entry["transaction"]["signatures"][0]
            keys = entry["transaction"]["message"]["accountKeys"]
            for index, key in enumerate(keys):
                gained = meta["postBalances"][index] - meta["preBalances"][index]
                if key in watched and gained > 0:
                    found.append(Transfer(self.chain, self.solana.native_currency,
                                          signature, index, key,
                                          to_coins(gained, LAMPORTS), height,
                                          block["blockhash"], keys[0]))
            before = {b["accountIndex"]: int(b["uiTokenAmount"]["amount"])
                      for b in meta.get("preTokenBalances") or []}
            for balance in meta.get("postTokenBalances") or []:
                token = self._mints.get(balance.get("mint"))
                owner = balance.get("owner")
                gained = int(balance["uiTokenAmount"]["amount"]) - before.get(
                    balance["accountIndex"], 0)
                if token is not None and owner in watched and gained > 0:
                    found.append(Transfer(self.chain, token.currency, signature,
                                          TOKEN_INDEX + balance["accountIndex"], owner,
                                          to_coins(gained, token.decimals), height,
                                          block["blockhash"],
                                          sender(meta, balance["mint"], before) or keys[0]))
        return found


def sender(meta: dict, mint: str, before: dict[int, int]) -> str | None:
    """The owner of the token account of `mint` the transaction took from (KYT
    screens it); a SOL transfer's sender is its fee payer, the first account."""
    for balance in meta.get("postTokenBalances") or []:
        if (balance.get("mint") == mint and int(balance["uiTokenAmount"]["amount"])
                < before.get(balance["accountIndex"], 0)):
            return balance.get("owner")
    return None
