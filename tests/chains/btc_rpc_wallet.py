"""The hot-wallet half of the regtest JSON-RPC: what a bitcoind with
-txindex answers about coins and transactions (scantxoutset, gettxout,
estimatesmartfee, sendrawtransaction, getrawtransaction), with its error
codes."""

from __future__ import annotations

from decimal import Decimal

import pbk

from tests.chains.btc_index import ChainIndex, btc
from tests.chains.btc_json import transaction_json
from tests.chains.btc_regtest import RegtestChain


class RpcFailure(Exception):
    def __init__(self, code: int, message: str, status: int = 500):
        super().__init__(message)
        self.code, self.status = code, status


def send(chain: RegtestChain, raw_hex: str, *_options) -> str:
    """Into the mempool (mined by the next block): a repeat is accepted, a
    transaction already mined is error -27, as bitcoind answers."""
    raw = bytes.fromhex(raw_hex)
    txid = str(pbk.Transaction(raw).txid)
    if txid in ChainIndex.scan(chain.chainman).mined:
        raise RpcFailure(-27, "Transaction outputs already in utxo set")
    if raw not in chain.mempool:
        chain.mempool.append(raw)
    return txid


def raw_transaction(chain: RegtestChain, txid: str, verbosity: int = 0, *_):
    found = ChainIndex.scan(chain.chainman).transaction(txid, chain.tip())
    if found is None:
        pending = [raw for raw in chain.mempool if str(pbk.Transaction(raw).txid) == txid]
        if not pending:
            raise RpcFailure(-5, "No such mempool or blockchain transaction")
        found = {**transaction_json(pbk.Transaction(pending[0])), "hex": pending[0].hex()}
    return found if verbosity else found["hex"]


def scan_outputs(chain: RegtestChain, action: str, descriptors: list[str]) -> dict:
    index = ChainIndex.scan(chain.chainman)
    unspents = [coin for descriptor in descriptors
                for coin in index.unspent(descriptor.removeprefix("addr(").removesuffix(")"))]
    return {"success": True, "height": chain.tip(), "unspents": unspents,
            "total_amount": sum((coin["amount"] for coin in unspents), Decimal("0E-8"))}


def output(chain: RegtestChain, txid: str, n: int, include_mempool: bool = True):
    """gettxout: None once spent (by the mempool too, if asked)."""
    index = ChainIndex.scan(chain.chainman)
    if (txid, n) not in index.outputs or (txid, n) in index.spent:
        return None
    if include_mempool and any(
            (str(i.out_point.txid), i.out_point.index) == (txid, n)
            for raw in chain.mempool for i in pbk.Transaction(raw).inputs):
        return None
    value, address, height = index.outputs[(txid, n)]
    return {"value": btc(value), "confirmations": chain.tip() - height + 1,
            "scriptPubKey": {"address": address}}


def estimate_fee(chain: RegtestChain, target: int, *_):
    return {"errors": ["Insufficient data or no feerate found"], "blocks": 0}


WALLET_METHODS = {
    "sendrawtransaction": send, "getrawtransaction": raw_transaction,
    "scantxoutset": scan_outputs, "gettxout": output, "estimatesmartfee": estimate_fee,
}
