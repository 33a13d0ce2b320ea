"""Tron blocks for the deposit watcher, over the node's HTTP API.

TRX: `TransferContract`s of successful transactions paying a watched address
(index 0). TRC-20: `Transfer` logs of the configured token contracts in the
block's transaction infos (`gettransactioninfobyblocknum`) whose receipt is
SUCCESS (index 1 + the log's position in its transaction: Tron has no
block-wide log index). Block hashes are the node's `blockID`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timezone

from chain.errors import BlockNotFound
from chain.interfaces import BlockHeader, Transfer
from chain.tron_node import SUN, TronChain, TronHttp, to_coins
from chain.tron_protocol import TRANSFER_TOPIC, to_base58, to_raw


class TronBlockSource:
    def __init__(self, node: TronHttp, chain: TronChain):
        self.node = node
        self.tron = chain
        self.chain = chain.name
        self._tokens = {to_raw(t.contract)[1:].hex(): t for t in chain.tokens}

    def tip(self) -> int:
        return int(self.node.now_block()["block_header"]["raw_data"]["number"])

    def _block(self, height: int) -> dict:
        block = self.node.block(height)
        if not block.get("blockID"):
            raise BlockNotFound(f"{self.chain}: no block {height}")
        return block

    def header(self, height: int) -> BlockHeader:
        return header_of(self._block(height))

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        watched = addresses if isinstance(addresses, (set, frozenset)) else set(addresses)
        block = self._block(height)
        found = []
        for tx in block.get("transactions", []):
            if (tx.get("ret") or [{}])[0].get("contractRet", "SUCCESS") != "SUCCESS":
                continue
            [contract] = tx["raw_data"]["contract"]
            if contract["type"] != "TransferContract":
                continue
            value = contract["parameter"]["value"]
            to = to_base58(to_raw(value["to_address"]))
            if to in watched:
                found.append(Transfer(self.chain, self.tron.native_currency, tx["txID"], 0,
                                      to, to_coins(int(value["amount"]), SUN), height,
                                      block["blockID"],
                                      to_base58(to_raw(value["owner_address"]))))
        if self._tokens:
            found += self._token_transfers(height, block["blockID"], watched)
        return found

    def _token_transfers(self, height: int, block_id: str, watched) -> list[Transfer]:
        found = []
        for info in self.node.infos(height):
            if info.get("receipt", {}).get("result") != "SUCCESS":
                continue
            for position, log in enumerate(info.get("log", [])):
                token = self._tokens.get(log.get("address", "").lower()[-40:])
                topics = log.get("topics", [])
                if token is None or len(topics) != 3 or topics[0] != TRANSFER_TOPIC:
                    continue
                to = to_base58(b"\x41" + bytes.fromhex(topics[2])[-20:])
                if to in watched:
                    found.append(Transfer(self.chain, token.currency, info["id"],
                                          1 + position, to,
                                          to_coins(int(log["data"], 16), token.decimals),
                                          height, block_id,
                                          to_base58(b"\x41" + bytes.fromhex(topics[1])[-20:])))
        return found


def header_of(block: dict) -> BlockHeader:
    raw = block["block_header"]["raw_data"]
    return BlockHeader(int(raw.get("number", 0)), block["blockID"],
                       raw.get("parentHash", "0" * 64),
                       datetime.fromtimestamp(int(raw.get("timestamp", 0)) / 1000,
                                              timezone.utc))
