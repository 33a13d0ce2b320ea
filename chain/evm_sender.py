"""The hot wallet of an EVM chain: balances, signing, broadcast, receipts.

Only the withdrawal worker builds one (it takes the hot wallet's private key).
Signing and broadcasting are separate so the domain can record the signed
transaction first: a retry re-broadcasts the same bytes (same hash, same
nonce), which the chain accepts at most once.
"""

from __future__ import annotations

from decimal import Decimal

from eth_account import Account
from web3 import Web3
from web3.exceptions import TransactionNotFound

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.evm_addresses import EvmAddressValidator
from chain.evm_errors import node_errors, send_errors
from chain.evm_fees import quote
from chain.evm_node import as_hex
from chain.evm_tokens import EvmChain, erc20_abi, to_coins, to_units
from chain.interfaces import Receipt, SignedTransfer

ALREADY_KNOWN = ("already known", "known transaction", "already imported")


class EvmSender:
    def __init__(self, w3: Web3, chain: EvmChain, private_key: str):
        self.w3 = w3
        self.evm = chain
        self.chain = chain.name
        self._account = Account.from_key(private_key)
        self._validator = EvmAddressValidator()

    def tip(self) -> int:
        with node_errors():
            return self.w3.eth.block_number

    def hot_address(self) -> str:
        return self._account.address

    def balance(self, currency: str) -> Decimal:
        return self.balance_of(self._account.address, currency)

    def balance_of(self, address: str, currency: str) -> Decimal:
        address = self._validator.normalize(address)
        token = self.evm.token(currency)
        with node_errors():
            if token is None:
                return to_coins(self.w3.eth.get_balance(address), self.evm.native_decimals)
            units = self._contract(token).functions.balanceOf(address).call()
        return to_coins(units, token.decimals)

    def fee(self, currency: str) -> Decimal:
        gas = quote(self.w3, self.evm, self.evm.token(currency) is not None)
        return to_coins(gas.max_cost, self.evm.native_decimals)

    def next_nonce(self) -> int:
        with node_errors():
            return self.w3.eth.get_transaction_count(self._account.address, "pending")

    def sign(self, currency: str, destination: str, amount: Decimal,
             nonce: int) -> SignedTransfer:
        destination = self._validator.normalize(destination)
        token = self.evm.token(currency)
        gas = quote(self.w3, self.evm, token is not None)
        tx = {"chainId": self.evm.chain_id, "nonce": nonce, "gas": gas.gas, **gas.fields}
        if token is None:
            tx |= {"to": destination, "value": to_units(amount, self.evm.native_decimals)}
        else:
            units = to_units(amount, token.decimals)
            data = self._contract(token).encode_abi("transfer", [destination, units])
            tx |= {"to": token.address, "value": 0, "data": data}
        self._check_funds(currency, amount, tx["value"] + gas.max_cost)
        signed = self._account.sign_transaction(tx)
        fee = to_coins(gas.max_cost, self.evm.native_decimals)
        return SignedTransfer(as_hex(signed.hash), as_hex(signed.raw_transaction), nonce,
                              fee, self.evm.native_currency)

    def broadcast(self, signed: SignedTransfer) -> str:
        try:
            with send_errors():
                return as_hex(self.w3.eth.send_raw_transaction(signed.raw))
        except (TransactionRejected, InsufficientHotFunds) as error:
            if self._known(signed.tx_hash, error):
                return signed.tx_hash
            raise

    def receipt(self, tx_hash: str) -> Receipt | None:
        with node_errors():
            try:
                found = self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                return None
            on_best_chain = self.w3.eth.get_block(found["blockNumber"])["hash"]
        if as_hex(on_best_chain) != as_hex(found["blockHash"]):
            return None  # a stale receipt from a reorged-out block
        fee = found["gasUsed"] * found["effectiveGasPrice"]
        return Receipt(as_hex(found["transactionHash"]), found["blockNumber"],
                       as_hex(found["blockHash"]), found["status"] == 1,
                       to_coins(fee, self.evm.native_decimals))

    def _check_funds(self, currency: str, amount: Decimal, native_wei: int) -> None:
        """Refuse before signing: the hot wallet must hold the amount and the gas."""
        native = self.balance(self.evm.native_currency)
        needed = to_coins(native_wei, self.evm.native_decimals)
        if native < needed:
            raise InsufficientHotFunds(
                f"{self.chain} hot wallet holds {native} {self.evm.native_currency}, needs {needed}")
        held = self.balance(currency) if currency != self.evm.native_currency else amount
        if held < amount:
            raise InsufficientHotFunds(
                f"{self.chain} hot wallet holds {held} {currency}, needs {amount}")

    def _known(self, tx_hash: str, error: Exception) -> bool:
        """Did the node refuse because it already has this very transaction?"""
        if any(text in str(error).lower() for text in ALREADY_KNOWN):
            return True
        with node_errors():
            try:
                self.w3.eth.get_transaction(tx_hash)
            except TransactionNotFound:
                return False
        return True

    def _contract(self, token):
        return self.w3.eth.contract(token.address, abi=erc20_abi())
