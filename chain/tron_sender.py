"""The hot wallet of Tron (and, with a deposit address's key, the sweeper's
signer): balances, signing, broadcast, receipts over the node's HTTP API.

Tron's fee model: a transaction burns bandwidth (its size in bytes times
`getTransactionFee` sun, unless the account has free or staked bandwidth),
a TRC-20 transfer burns energy too (up to `fee_limit`, at `getEnergyFee`
sun per unit), and a transfer that activates a new account burns its
creation fee. `fee(currency)` is the most a payment to an active account can
cost (bandwidth, plus the fee limit for a token); `sign` adds the creation
fee for a new one to `SignedTransfer.fee`; `Receipt.fee_paid` is what the node says
was burnt (`fee` of the transaction info: bandwidth, energy and creation).
Tron has no nonces: `next_nonce()` is 0 and `SignedTransfer.nonce` None; a
transaction is unique by its id and expires (`TronChain.expiration_ms`)
after its reference block, so a recorded transaction can be re-broadcast
until then.
"""

from __future__ import annotations

from decimal import Decimal

from coincurve import PrivateKey

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.interfaces import Receipt, SignedTransfer
from chain.tron_addresses import TronAddressValidator
from chain.tron_node import SUN, TronChain, TronHttp, to_coins, to_units
from chain.tron_protocol import (
    TRANSFER_CONTRACT,
    TRIGGER_SMART_CONTRACT,
    RawTransaction,
    address_of_key,
    sign,
    signed_hex,
    to_raw,
    transfer_contract,
    trc20_transfer_data,
    trigger_contract,
)

# Serialized sizes with the signature and result, rounded up: what bandwidth costs.
TRX_BYTES, TRC20_BYTES = 270, 350
KNOWN = ("DUP_TRANSACTION_ERROR",)


class TronSender:
    def __init__(self, node: TronHttp, chain: TronChain, private_key: str):
        self.node = node
        self.tron = chain
        self.chain = chain.name
        self._key = bytes.fromhex(private_key.removeprefix("0x"))
        self._address = address_of_key(PrivateKey(self._key).public_key)
        self._validator = TronAddressValidator()

    def tip(self) -> int:
        return int(self.node.now_block()["block_header"]["raw_data"]["number"])

    def hot_address(self) -> str:
        return self._address

    def balance(self, currency: str) -> Decimal:
        return self.balance_of(self._address, currency)

    def balance_of(self, address: str, currency: str) -> Decimal:
        address = self._validator.normalize(address)
        token = self.tron.token(currency)
        if token is None:
            account = self.node.call("getaccount", {"address": address, "visible": True})
            return to_coins(int(account.get("balance", 0)), SUN)
        found = self.node.call("triggerconstantcontract", {
            "owner_address": address, "contract_address": token.contract,
            "function_selector": "balanceOf(address)",
            "parameter": to_raw(address)[1:].rjust(32, b"\0").hex(), "visible": True})
        result = (found.get("constant_result") or ["0"])[0] or "0"
        return to_coins(int(result, 16), token.decimals)

    def parameters(self) -> dict[str, int]:
        found = self.node.call("getchainparameters").get("chainParameter", [])
        return {p["key"]: int(p.get("value", 0)) for p in found}

    def fee(self, currency: str) -> Decimal:
        per_byte = self.parameters().get("getTransactionFee", 1000)
        if self.tron.token(currency) is None:
            return to_coins(TRX_BYTES * per_byte, SUN)
        return to_coins(TRC20_BYTES * per_byte + self.tron.fee_limit_sun, SUN)

    def next_nonce(self) -> int:
        return 0

    def sign(self, currency: str, destination: str, amount: Decimal,
             nonce: int | None = None) -> SignedTransfer:
        destination = self._validator.normalize(destination)
        token = self.tron.token(currency)
        fee = self.fee(currency)
        if token is None and not self.node.call("getaccount", {"address": destination,
                                                               "visible": True}):
            # A transfer that activates an account burns its creation fee too.
            fee += to_coins(self.parameters().get(
                "getCreateNewAccountFeeInSystemContract", 1_000_000), SUN)
        self._check_funds(currency, amount, fee)
        block = self.node.now_block()
        number = int(block["block_header"]["raw_data"]["number"])
        at = int(block["block_header"]["raw_data"]["timestamp"])
        if token is None:
            kind, body, limit = TRANSFER_CONTRACT, transfer_contract(
                self._address, destination, to_units(amount, SUN)), 0
        else:
            kind, limit = TRIGGER_SMART_CONTRACT, self.tron.fee_limit_sun
            body = trigger_contract(self._address, token.contract, trc20_transfer_data(
                destination, to_units(amount, token.decimals)))
        raw = RawTransaction(number.to_bytes(8, "big")[6:8],
                             bytes.fromhex(block["blockID"])[8:16],
                             at + self.tron.expiration_ms, at, kind, body, limit)
        signature = sign(raw, self._key)
        return SignedTransfer(raw.txid(), signed_hex(raw, signature), None, fee,
                              self.tron.native_currency)

    def broadcast(self, signed: SignedTransfer) -> str:
        answer = self.node.call("broadcasthex", {"transaction": signed.raw})
        if answer.get("result") or answer.get("code") in KNOWN:
            return signed.tx_hash
        if self.node.call("gettransactionbyid", {"value": signed.tx_hash}).get("txID"):
            return signed.tx_hash
        message = answer.get("message", "")
        try:
            message = bytes.fromhex(message).decode(errors="replace")
        except ValueError:
            pass
        raise TransactionRejected(f"{self.chain}: {answer.get('code')}: {message}")

    def receipt(self, tx_hash: str) -> Receipt | None:
        info = self.node.call("gettransactioninfobyid", {"value": tx_hash})
        if "blockNumber" not in info:
            return None
        height = int(info["blockNumber"])
        block = self.node.block(height)
        if tx_hash not in {tx["txID"] for tx in block.get("transactions", [])}:
            return None  # the info of a block no longer on the best chain
        result = info.get("receipt", {}).get("result", "SUCCESS")
        succeeded = info.get("result") != "FAILED" and result == "SUCCESS"
        return Receipt(tx_hash, height, block["blockID"], succeeded,
                       to_coins(int(info.get("fee", 0)), SUN))

    def _check_funds(self, currency: str, amount: Decimal, fee: Decimal) -> None:
        native = self.balance(self.tron.native_currency)
        token = self.tron.token(currency)
        needed = fee + (amount if token is None else 0)
        if native < needed:
            raise InsufficientHotFunds(f"{self.chain} {self._address} holds {native} "
                                       f"{self.tron.native_currency}, needs {needed}")
        if token is not None:
            held = self.balance(currency)
            if held < amount:
                raise InsufficientHotFunds(f"{self.chain} {self._address} holds {held} "
                                           f"{currency}, needs {amount}")
