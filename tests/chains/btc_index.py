"""What a bitcoind with -txindex knows of the regtest chain: its unspent
outputs and where each transaction was mined, rebuilt by scanning the active
chain (a test chain holds a few hundred blocks: milliseconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pbk

from tests.chains.btc_json import describe, transaction_json


def btc(satoshis: int) -> Decimal:
    return Decimal(satoshis).scaleb(-8).quantize(Decimal("1e-8"))


@dataclass
class ChainIndex:
    outputs: dict[tuple[str, int], tuple[int, str | None, int]] = field(default_factory=dict)
    spent: set[tuple[str, int]] = field(default_factory=set)
    mined: dict[str, tuple[str, int, pbk.Transaction]] = field(default_factory=dict)

    @classmethod
    def scan(cls, chainman: pbk.ChainstateManager) -> ChainIndex:
        index = cls()
        for entry in chainman.get_active_chain().block_tree_entries:
            for tx in chainman.blocks[entry].transactions:
                index.add(tx, str(entry.block_hash), entry.height)
        return index

    def add(self, tx: pbk.Transaction, block_hash: str, height: int) -> None:
        txid = str(tx.txid)
        self.mined[txid] = (block_hash, height, tx)
        for spent in tx.inputs:
            self.spent.add((str(spent.out_point.txid), spent.out_point.index))
        for n, output in enumerate(tx.outputs):
            address = describe(bytes(output.script_pubkey))[1]
            self.outputs[(txid, n)] = (output.amount, address, height)

    def unspent(self, address: str) -> list[dict]:
        """scantxoutset's `unspents` for one address."""
        return [{"txid": txid, "vout": n, "amount": btc(value), "height": height}
                for (txid, n), (value, owner, height) in self.outputs.items()
                if owner == address and (txid, n) not in self.spent]

    def transaction(self, txid: str, tip: int) -> dict | None:
        """getrawtransaction (verbose) for a mined transaction, fee included."""
        if txid not in self.mined:
            return None
        block_hash, height, tx = self.mined[txid]
        paid_in = sum(self.outputs[(str(i.out_point.txid), i.out_point.index)][0]
                      for i in tx.inputs if (str(i.out_point.txid), i.out_point.index)
                      in self.outputs)
        fee = paid_in - sum(output.amount for output in tx.outputs)
        return {**transaction_json(tx), "hex": bytes(tx).hex(), "blockhash": block_hash,
                "confirmations": tip - height + 1, "fee": btc(max(fee, 0))}
