"""Watching an EVM chain for deposits: native coin in block transactions,
ERC-20 tokens in `Transfer` logs.

A native transfer is found by scanning the block's transactions (`to` is a
watched address, value > 0, receipt succeeded); coins moved by contracts
(internal transactions) are not seen: players deposit from wallets. Token
logs are read by block number and each log's block hash is checked against
the block's, so a reorg between the two reads is an error, not a wrong credit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from eth_utils import to_checksum_address
from web3 import Web3

from chain.errors import BlockNotFound
from chain.evm_errors import node_errors
from chain.evm_node import as_hex, utc
from chain.evm_tokens import TRANSFER_TOPIC, EvmChain, to_coins
from chain.interfaces import BlockHeader, Transfer


class EvmBlockSource:
    def __init__(self, w3: Web3, chain: EvmChain):
        self.w3 = w3
        self.evm = chain
        self.chain = chain.name
        self._tokens = {token.address.lower(): token for token in chain.tokens}

    def tip(self) -> int:
        with node_errors():
            return self.w3.eth.block_number

    def header(self, height: int) -> BlockHeader:
        with node_errors():
            block = self.w3.eth.get_block(height)
        return BlockHeader(height, as_hex(block["hash"]), as_hex(block["parentHash"]),
                           utc(block["timestamp"]))

    def transfers(self, height: int, addresses: Collection[str]) -> list[Transfer]:
        # Canonical (checksummed) forms, as the interface requires: checksumming
        # every watched address on every block would cost a keccak each.
        wanted = addresses if isinstance(addresses, (set, frozenset)) else set(addresses)
        with node_errors():
            block = self.w3.eth.get_block(height, full_transactions=True)
            found = list(self._native(block, wanted)) + list(self._tokens_in(block, wanted))
        return [transfer for _, transfer in sorted(found, key=lambda pair: pair[0])]

    def _native(self, block, wanted: Collection[str]) -> Iterable[tuple[tuple, Transfer]]:
        for position, tx in enumerate(block["transactions"]):
            to = tx["to"] and to_checksum_address(tx["to"])
            if to in wanted and tx["value"] > 0 and self._succeeded(tx["hash"]):
                amount = to_coins(tx["value"], self.evm.native_decimals)
                yield (position, 0), self._transfer(
                    block, self.evm.native_currency, tx["hash"], 0, to, amount,
                    to_checksum_address(tx["from"]))

    def _tokens_in(self, block, wanted: Collection[str]) -> Iterable[tuple[tuple, Transfer]]:
        if not self._tokens:
            return
        logs = self.w3.eth.get_logs({
            "fromBlock": block["number"], "toBlock": block["number"],
            "address": [token.address for token in self._tokens.values()],
            "topics": [TRANSFER_TOPIC],
        })
        for log in logs:
            if as_hex(log["blockHash"]) != as_hex(block["hash"]):
                raise BlockNotFound(f"{self.chain} block {block['number']} changed while read")
            token = self._tokens.get(log["address"].lower())
            if token is None or len(log["topics"]) != 3:
                continue  # not ours, or an ERC-721 Transfer (4 topics)
            to = to_checksum_address(as_hex(log["topics"][2])[-40:])
            units = int.from_bytes(bytes(log["data"]), "big")
            if to not in wanted or units == 0:
                continue  # zero-value transfers are address-poisoning spam
            amount = to_coins(units, token.decimals)
            yield (log["transactionIndex"], log["logIndex"]), self._transfer(
                block, token.currency, log["transactionHash"], log["logIndex"], to, amount,
                to_checksum_address(as_hex(log["topics"][1])[-40:]))

    def _succeeded(self, tx_hash) -> bool:
        return self.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1

    def _transfer(self, block, currency, tx_hash, index, to, amount, source) -> Transfer:
        return Transfer(self.chain, currency, as_hex(tx_hash), index, to, amount,
                        block["number"], as_hex(block["hash"]), source)
