"""A local test double of a Tron full node's HTTP API. IT IS NOT A TRON NODE.

No Tron node can be installed from a registry here, so this serves the
documented java-tron `/wallet/*` endpoints the adapters use (getnowblock,
getblockbynum, gettransactioninfobyblocknum, gettransactioninfobyid,
gettransactionbyid, getaccount, triggerconstantcontract, getchainparameters,
broadcasthex) over HTTP on 127.0.0.1, in the JSON shapes java-tron returns,
over an in-memory chain that checks what a node checks of a submitted
transaction: its id (SHA-256 of raw_data), the secp256k1 signature recovering
the owner's address, the reference block (TaPoS), the expiry, a duplicate,
and the balance. It models the fee model in the simplest form: bandwidth
burnt at 1,000 sun a byte (no free or staked bandwidth), 1 TRX to activate
a new account, TRC-20 energy (64,285 to a holder, 130,285 to a new one, at
100 sun) up to the fee limit, an out-of-energy or reverted call burning its
fee. One TRC-20 contract (USDT-like, 6 decimals). Blocks every 3 s of chain
time; `fork(height)` drops the blocks above `height` (with their
transactions: dropped, not re-queued), which is how a transaction
disappears here.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from decimal import Decimal
from typing import Any

from coincurve import PrivateKey

from chain.tron_node import SUN, Trc20Token, TronChain, TronHttp
from chain.tron_protocol import (
    CONTRACT_NAMES,
    TRANSFER_CONTRACT,
    TRANSFER_TOPIC,
    TYPE_URL,
    address_of_key,
    decode,
    parse_signed,
    signer_of,
    to_base58,
    to_raw,
)
from chain.tron_sender import TronSender
from tests.chains.json_http import JsonServer

FAUCET_KEY = "11" * 32
USDT_CONTRACT = to_base58(b"\x41" + hashlib.sha256(b"test usdt").digest()[-20:])
USDT_DECIMALS = 6
BYTE_FEE, ENERGY_FEE, ACTIVATION_FEE = 1000, 100, 1_000_000
ENERGY_TO_HOLDER, ENERGY_TO_NEW = 64_285, 130_285
GENESIS_TIME = 1_700_000_000_000


class TronChainDouble:
    def __init__(self):
        self.lock = threading.RLock()
        faucet = address_of_key(PrivateKey(bytes.fromhex(FAUCET_KEY)).public_key)
        self.state = {"trx": {to_raw(faucet).hex(): 10**9 * 10**SUN},
                      "usdt": {to_raw(faucet).hex(): 10**9 * 10**USDT_DECIMALS}}
        self.blocks: list[dict[str, Any]] = []
        self.infos: dict[str, dict[str, Any]] = {}
        self.pending: list[tuple[str, Any, list[bytes]]] = []
        self.forks = 0
        self._append([], self.state)

    # The chain.

    def _append(self, txs: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
        number = len(self.blocks)
        parent = self.blocks[-1]["blockID"] if self.blocks else "0" * 64
        timestamp = GENESIS_TIME + 3000 * number
        digest = hashlib.sha256(f"{parent}{number}{timestamp}{self.forks}{[t['txID'] for t in txs]}"
                                .encode()).hexdigest()
        block = {"blockID": f"{number:016x}" + digest[16:],
                 "block_header": {"raw_data": {"number": number, "parentHash": parent,
                                               "timestamp": timestamp}},
                 "transactions": txs, "state": copy.deepcopy(state)}
        self.blocks.append(block)
        return block

    @property
    def head(self) -> dict[str, Any]:
        return self.blocks[-1]

    def mine(self, blocks: int = 1) -> None:
        with self.lock:
            for _ in range(blocks):
                state = copy.deepcopy(self.head["state"])
                txs, infos = [], []
                now = GENESIS_TIME + 3000 * len(self.blocks)
                for txid, raw, signatures in self.pending:
                    if raw.expiration <= now:
                        continue  # expired: dropped
                    executed = self._execute(txid, raw, signatures, state)
                    if executed is not None:
                        txs.append(executed[0])
                        infos.append(executed[1])
                self.pending = []
                block = self._append(txs, state)
                for info in infos:
                    info |= {"blockNumber": block["block_header"]["raw_data"]["number"],
                             "blockTimeStamp": block["block_header"]["raw_data"]["timestamp"]}
                    self.infos[info["id"]] = info

    def fork(self, height: int) -> None:
        """Drop the blocks above `height`; their transactions are gone."""
        with self.lock:
            for block in self.blocks[height + 1:]:
                for tx in block["transactions"]:
                    self.infos.pop(tx["txID"], None)
            del self.blocks[height + 1:]
            self.forks += 1

    def _execute(self, txid: str, raw, signatures: list[bytes],
                 state: dict[str, Any]) -> tuple[dict, dict] | None:
        contract = decode(raw.contract)
        owner = contract[1][0].hex()
        size = len(raw.encode()) + 65 * len(signatures) + 64
        fee = size * BYTE_FEE
        trx, usdt = state["trx"], state["usdt"]
        info: dict[str, Any] = {"id": txid, "receipt": {"net_fee": fee}}
        ret = "SUCCESS"
        if raw.contract_type == TRANSFER_CONTRACT:
            to, amount = contract[2][0].hex(), contract.get(3, [0])[0]
            if to not in trx:
                fee += ACTIVATION_FEE
            if trx.get(owner, 0) < amount + fee:
                return None  # refused by validation: never in a block
            trx[owner] -= amount + fee
            trx[to] = trx.get(to, 0) + amount
            value = {"owner_address": owner, "to_address": to, "amount": amount}
        else:
            data = contract[4][0]
            to, units = "41" + data[16:36].hex(), int.from_bytes(data[36:68], "big")
            energy = ENERGY_TO_HOLDER if usdt.get(to) else ENERGY_TO_NEW
            if trx.get(owner, 0) < fee:
                return None
            if usdt.get(owner, 0) < units:
                ret, energy = "REVERT", 20_000
            if energy * ENERGY_FEE > raw.fee_limit:
                ret, energy = "OUT_OF_ENERGY", raw.fee_limit // ENERGY_FEE
            energy_fee = energy * ENERGY_FEE
            spent = min(trx[owner], fee + energy_fee)
            trx[owner] -= spent
            fee = spent
            info["receipt"] |= {"energy_usage_total": energy, "energy_fee": energy_fee,
                                "result": ret}
            if ret == "SUCCESS":
                usdt[owner] -= units
                usdt[to] = usdt.get(to, 0) + units
                info["log"] = [{"address": to_raw(USDT_CONTRACT)[1:].hex(),
                                "topics": [TRANSFER_TOPIC, owner[2:].rjust(64, "0"),
                                           to[2:].rjust(64, "0")],
                                "data": f"{units:064x}"}]
            else:
                info["result"] = "FAILED"
            value = {"owner_address": owner,
                     "contract_address": contract[2][0].hex(), "data": data.hex()}
        info["fee"] = fee
        name = CONTRACT_NAMES[raw.contract_type]
        tx = {"ret": [{"contractRet": ret}], "txID": txid,
              "signature": [s.hex() for s in signatures],
              "raw_data": {"contract": [{"parameter": {"value": value,
                                                       "type_url": TYPE_URL.format(name)},
                                         "type": name}],
                           "ref_block_bytes": raw.ref_block_bytes.hex(),
                           "ref_block_hash": raw.ref_block_hash.hex(),
                           "expiration": raw.expiration, "timestamp": raw.timestamp,
                           **({"fee_limit": raw.fee_limit} if raw.fee_limit else {})},
              "raw_data_hex": raw.encode().hex()}
        return tx, info

    # What a node checks of a submitted transaction.

    def submit(self, hex_text: str) -> dict[str, Any]:
        with self.lock:
            try:
                raw, signatures = parse_signed(hex_text)
            except Exception as error:  # noqa: BLE001 - a node answers, never raises
                return failure("OTHER_ERROR", f"cannot parse: {error}")
            txid = raw.txid()
            known = {t for t, _, _ in self.pending} | set(self.infos)
            if txid in known:
                return failure("DUP_TRANSACTION_ERROR", "dup transaction", txid)
            owner = to_base58(decode(raw.contract)[1][0])
            if len(signatures) != 1 or signer_of(raw, signatures[0]) != owner:
                return failure("SIGERROR", "validate signature error", txid)
            if not any(b["blockID"][16:32] == raw.ref_block_hash.hex()
                       and (b["block_header"]["raw_data"]["number"] & 0xFFFF)
                       == int.from_bytes(raw.ref_block_bytes, "big") for b in self.blocks):
                return failure("TAPOS_ERROR", "tapos check error", txid)
            if raw.expiration <= self.head["block_header"]["raw_data"]["timestamp"]:
                return failure("TRANSACTION_EXPIRATION_ERROR", "expired", txid)
            if self._execute(txid, raw, signatures, copy.deepcopy(self.head["state"])) is None:
                return failure("CONTRACT_VALIDATE_ERROR", "balance is not sufficient", txid)
            self.pending.append((txid, raw, signatures))
            return {"result": True, "txid": txid}

    # The HTTP API.

    def answer(self, path: str, body: dict[str, Any]) -> Any:
        with self.lock:
            if path == "getnowblock":
                return public(self.head)
            if path == "getblockbynum":
                number = int(body.get("num", 0))
                return public(self.blocks[number]) if number < len(self.blocks) else {}
            if path == "gettransactioninfobyblocknum":
                number = int(body.get("num", 0))
                if number >= len(self.blocks):
                    return []
                return [self.infos[t["txID"]] for t in self.blocks[number]["transactions"]]
            if path == "gettransactioninfobyid":
                return self.infos.get(body.get("value", ""), {})
            if path == "gettransactionbyid":
                for block in self.blocks:
                    for tx in block["transactions"]:
                        if tx["txID"] == body.get("value"):
                            return tx
                return {}
            if path == "getaccount":
                raw = to_raw(body["address"]).hex()
                trx = self.head["state"]["trx"]
                return {"address": body["address"], "balance": trx[raw]} if raw in trx else {}
            if path == "triggerconstantcontract":
                holder = "41" + body["parameter"][-40:]
                units = self.head["state"]["usdt"].get(holder, 0)
                return {"result": {"result": True}, "constant_result": [f"{units:064x}"]}
            if path == "getchainparameters":
                return {"chainParameter": [
                    {"key": "getTransactionFee", "value": BYTE_FEE},
                    {"key": "getEnergyFee", "value": ENERGY_FEE},
                    {"key": "getCreateNewAccountFeeInSystemContract",
                     "value": ACTIVATION_FEE}]}
            if path == "broadcasthex":
                return self.submit(body.get("transaction", ""))
        return {"Error": f"no endpoint /wallet/{path}"}


def public(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "state"}


def failure(code: str, message: str, txid: str = "") -> dict[str, Any]:
    return {"result": False, "code": code, "txid": txid,
            "message": message.encode().hex()}


class TronNodeDouble:
    """The double served on 127.0.0.1; `.url` for the adapters; `pay` from the
    faucet (signed by the production sender), `mine`, `fork`."""

    def __init__(self):
        self.chain = TronChainDouble()
        self.http = JsonServer(lambda path, body: self.chain.answer(
            path.rsplit("/", 1)[-1], body))
        self.url = self.http.url
        self.config = TronChain(tokens=(Trc20Token("USDT", USDT_CONTRACT, USDT_DECIMALS),),
                                genesis=self.chain.blocks[0]["blockID"])
        self.faucet = TronSender(TronHttp(self.url), self.config, FAUCET_KEY)

    def pay(self, to: str, amount: Decimal | str, currency: str = "TRX") -> str:
        signed = self.faucet.sign(currency, to, Decimal(amount), 0)
        self.faucet.broadcast(signed)
        self.mine(1)
        return signed.tx_hash

    def mine(self, blocks: int = 1) -> None:
        self.chain.mine(blocks)

    def fork(self, height: int) -> None:
        self.chain.fork(height)

    @property
    def height(self) -> int:
        return len(self.chain.blocks) - 1

    def close(self) -> None:
        self.http.close()


