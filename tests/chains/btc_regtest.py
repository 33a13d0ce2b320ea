"""A local Bitcoin regtest chain validated by Bitcoin Core's own code.

Blocks are built here (tests/chains/btc_blocks.py) around transactions that
bitcoinlib signs, and handed to py-bitcoinkernel's ChainstateManager, which
validates them (proof of work, BIP34, subsidy, scripts and signatures,
witness commitment) and keeps the best chain: a longer fork reorganises it
as bitcoind would. `btc_rpc_server.py` serves it over the bitcoind JSON-RPC
subset, so the production adapter runs unchanged against it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from decimal import Decimal

import pbk

from chain.bitcoinlib_home import Key, Transaction
from tests.chains import btc_blocks as blocks
from tests.chains.btc_json import block_json


class BlockRejected(Exception):
    """Bitcoin Core's validation refused a block (a bug in the test chain or
    a deliberately invalid transaction)."""


MATURITY = 100
MINER_SECRET = bytes.fromhex("11" * 32)
FEE = Decimal("0.0001")


class RegtestChain:
    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="regtest-")
        self.rejections: dict[str, str] = {}
        self.chainman = self._chainstate(self._dir.name)
        self.lock = threading.RLock()
        self.miner = Key(MINER_SECRET, network="regtest")
        self.miner_address = self.miner.address(encoding="bech32")
        self.miner_script = bytes.fromhex("0014") + self.miner.hash160
        self.mempool: list[bytes] = []
        self._spent: set[str] = set()
        self._tags = 0

    def _chainstate(self, folder: str) -> pbk.ChainstateManager:
        callbacks = pbk.ValidationInterfaceCallbacks(block_checked=self._checked)
        context = pbk.make_context(pbk.ChainType.REGTEST, validation_callbacks=callbacks)
        options = pbk.ChainstateManagerOptions(context, folder, folder + "/blocks")
        options.update_block_tree_db_in_memory(True)
        options.update_chainstate_db_in_memory(True)
        return pbk.ChainstateManager(options)

    def _checked(self, _user_data, block: pbk.Block, state: pbk.BlockValidationState) -> None:
        if state.validation_mode != pbk.ValidationMode.VALID:
            self.rejections[str(block.block_hash)] = state.block_validation_result.name

    @property
    def active(self) -> pbk.Chain:
        return self.chainman.get_active_chain()

    def tip(self) -> int:
        return self.active.height

    def entry(self, height: int) -> pbk.BlockTreeEntry:
        return self.active.block_tree_entries[height]

    def block_hash(self, height: int) -> str:
        return str(self.entry(height).block_hash)

    def mine(self, count: int = 1) -> list[str]:
        """Mine `count` blocks on the tip, the first with the mempool."""
        with self.lock:
            mined = [self._mine_on(self.entry(self.tip()), self.mempool)]
            self.mempool = []
            mined += [self._mine_on(self.entry(self.tip()), []) for _ in range(count - 1)]
            self._require_tip(mined[-1])
            return [str(entry.block_hash) for entry in mined]

    def reorg(self, depth: int, extra: int = 1) -> None:
        """Replace the top `depth` blocks with `depth + extra` empty ones; the
        transactions of the replaced blocks are dropped (double-spent away)."""
        with self.lock:
            parent = self.entry(self.tip() - depth)
            for _ in range(depth + extra):
                parent = self._mine_on(parent, [])
            self._require_tip(parent)
            self.mempool = []

    def pay(self, address: str, amount: Decimal) -> str:
        """Sign a payment from a mature coinbase of the miner into the mempool;
        returns its txid (mined by the next `mine`)."""
        with self.lock:
            txid, value = self._mature_coin()
            tx = Transaction(network="regtest", witness_type="segwit", version=2)
            tx.add_input(txid, 0, keys=self.miner, value=value, witness_type="segwit")
            tx.add_output(int(amount * blocks.COIN), address=address)
            tx.add_output(value - int((amount + FEE) * blocks.COIN), address=self.miner_address)
            tx.sign(self.miner)
            raw = tx.raw()
            self.mempool.append(raw)
            self._spent.add(txid)
            return str(pbk.Transaction(raw).txid)  # bitcoinlib's tx.txid is stale

    def block(self, block_hash: str, verbosity: int) -> dict:
        """getblock's answer for the block with this (display-order) hash."""
        with self.lock:
            key = pbk.BlockHash(bytes.fromhex(block_hash)[::-1])
            if key not in self.chainman.block_tree_entries:
                raise KeyError(block_hash)
            entry = self.chainman.block_tree_entries[key]
            on_best_chain = entry.height <= self.tip() and self.entry(entry.height) == entry
            confirmations = self.tip() - entry.height + 1 if on_best_chain else -1
            found = self.chainman.blocks[entry]
            spent = self._spent_by(found, entry.height) if verbosity >= 3 else None
            return block_json(found, entry.height, confirmations, verbosity, spent)

    def _spent_by(self, block: pbk.Block, height: int,
                  ) -> dict[tuple[str, int], pbk.TransactionOutput]:
        """The outputs the block's inputs spend, found in the best chain below it."""
        wanted = {str(i.out_point.txid) for tx in block.transactions for i in tx.inputs}
        spent = {}
        for below in range(height):
            for tx in self.chainman.blocks[self.entry(below)].transactions:
                if str(tx.txid) in wanted:
                    for n, output in enumerate(tx.outputs):
                        spent[(str(tx.txid), n)] = output
        return spent

    def close(self) -> None:
        del self.chainman
        self._dir.cleanup()

    def _require_tip(self, entry: pbk.BlockTreeEntry) -> None:
        """process_block accepts a block to disk before connecting it; a block
        that fails to connect leaves the tip where it was."""
        if self.entry(self.tip()) != entry:
            reason = self.rejections.get(str(entry.block_hash), "not connected")
            raise BlockRejected(f"block {entry.height} refused by validation: {reason}")

    def _mature_coin(self) -> tuple[str, int]:
        for height in range(1, self.tip() + 2 - MATURITY):
            coinbase = self.chainman.blocks[self.entry(height)].transactions[0]
            txid = str(coinbase.txid)
            if txid not in self._spent:
                return txid, coinbase.outputs[0].amount
        raise RuntimeError("no mature coinbase: mine more blocks first")

    def _mine_on(self, parent: pbk.BlockTreeEntry,
                 transactions: list[bytes]) -> pbk.BlockTreeEntry:
        height, self._tags = parent.height + 1, self._tags + 1
        parsed = [pbk.Transaction(raw) for raw in transactions]
        wtxids = [blocks.sha256d(raw) for raw in transactions]
        # The coinbase claims the subsidy only (fees are left unclaimed, which
        # is valid), so any signed transaction can be mined without its inputs.
        outputs = [(blocks.subsidy(height), self.miner_script),
                   (0, blocks.witness_commitment(wtxids))]
        coinbase, coinbase_txid = blocks.coinbase(height, outputs, self._tags.to_bytes(4, "big"))
        txids = [coinbase_txid] + [bytes(tx.txid) for tx in parsed]
        timestamp = max(int(time.time()), int(parent.block_header.timestamp.timestamp()) + 1)
        header = blocks.header(bytes(parent.block_hash), blocks.merkle_root(txids), timestamp)
        block = pbk.Block(blocks.block(header, [coinbase, *transactions]))
        self.chainman.process_block(block)  # raises if the block is malformed
        return self.chainman.block_tree_entries[block.block_hash]
