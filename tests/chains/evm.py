"""Local EVM chains for tests: eth-tester in-process, or anvil (tests/chains/anvil.py).

Both expose the same `LocalEvm`: a faucet account (anvil's default account 0,
funded at genesis), a deployed USDT-like token (6 decimals), payments from the
faucet, mining, and reorgs by snapshot and revert. Transactions are mined as
soon as they are sent (automine), one block each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, Web3

from chain.evm_tokens import (
    Erc20Token,
    EvmChain,
    erc20_abi,
    test_token_bytecode,
    to_units,
)

# anvil's well-known development mnemonic; its account 0 is the faucet.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
FAUCET_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
TOKEN_DECIMALS = 6
TOKEN_SUPPLY = Decimal("1000000000")
GENESIS_WEI = 10**24


class LocalEvm:
    """What tests do to a local EVM chain, whichever node runs it."""

    def __init__(self, w3: Web3, faucet_key: str):
        self.w3 = w3
        self.faucet = Account.from_key(faucet_key)
        self.token = self._deploy_token()

    def chain(self, name: str = "ethereum", **options) -> EvmChain:
        """The configuration matching this chain (its chain id read from the node)."""
        token = Erc20Token("USDT", self.token.address, TOKEN_DECIMALS)
        return EvmChain(name, self.w3.eth.chain_id, "ETH", (token,), **options)

    def pay(self, to: str, amount: Decimal, currency: str = "ETH", payer=None) -> str:
        """Send from `payer` (default the faucet); returns the tx hash (mined
        at once, or with the block of `one_block`)."""
        to = Web3.to_checksum_address(to)
        if currency == "ETH":
            return self.send({"to": to, "value": to_units(amount, 18)}, payer)
        data = self.token.encode_abi("transfer", [to, to_units(amount, TOKEN_DECIMALS)])
        return self.send({"to": self.token.address, "data": data}, payer)

    @contextmanager
    def one_block(self) -> Iterator[None]:
        """Transactions sent inside are mined together in one block on exit
        (one per payer: eth-tester keeps one pending transaction per sender)."""
        self._automine(False)
        try:
            yield
            self.mine(1)
        finally:
            self._automine(True)

    def funded_account(self, eth: Decimal = Decimal(10), usdt: Decimal = Decimal(0)):
        """A new account (a hot wallet, a player's wallet) holding `eth` and
        `usdt` from the faucet; `.key.hex()` is its private key."""
        account = Account.create()
        if eth:
            self.pay(account.address, Decimal(eth))
        if usdt:
            self.pay(account.address, Decimal(usdt), "USDT")
        return account

    def send(self, tx: dict, key=None) -> str:
        account = key or self.faucet
        tx = {"chainId": self.w3.eth.chain_id, "gas": 200_000, "value": 0,
              "nonce": self.w3.eth.get_transaction_count(account.address, "pending"),
              "maxFeePerGas": 10 * self.w3.eth.gas_price, "maxPriorityFeePerGas": 10**9,
              **tx}
        tx_hash = self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        if self.automining:
            self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
        return "0x" + bytes(tx_hash).hex()

    def _deploy_token(self):
        factory = self.w3.eth.contract(abi=erc20_abi(), bytecode=test_token_bytecode())
        supply = to_units(TOKEN_SUPPLY, TOKEN_DECIMALS)
        data = factory.constructor("Tether USD", "USDT", TOKEN_DECIMALS, supply).data_in_transaction
        tx_hash = self.send({"data": data, "gas": 2_000_000})
        address = self.w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
        return self.w3.eth.contract(address, abi=erc20_abi())

    automining = True

    def _automine(self, on: bool) -> None:
        raise NotImplementedError

    def mine(self, blocks: int = 1) -> None:
        raise NotImplementedError

    def snapshot(self):
        raise NotImplementedError

    def revert(self, snapshot) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the node, if it is a process."""


class EthTesterEvm(LocalEvm):
    """eth-tester with py-evm, in-process: the faucet funded at genesis."""

    def __init__(self):
        faucet = Account.from_key(FAUCET_KEY)
        state = PyEVMBackend.generate_genesis_state(num_accounts=1)
        state[bytes.fromhex(faucet.address[2:])] = {
            "balance": GENESIS_WEI, "nonce": 0, "code": b"", "storage": {}}
        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": 30_000_000})
        self.tester = EthereumTester(PyEVMBackend(genesis_parameters=params, genesis_state=state))
        super().__init__(Web3(EthereumTesterProvider(self.tester)), FAUCET_KEY)

    def _automine(self, on: bool) -> None:
        self.automining = on
        if on:
            self.tester.enable_auto_mine_transactions()
        else:
            self.tester.disable_auto_mine_transactions()

    def mine(self, blocks: int = 1) -> None:
        self.tester.mine_blocks(blocks)

    def snapshot(self):
        return self.tester.take_snapshot()

    def revert(self, snapshot) -> None:
        self.tester.revert_to_snapshot(snapshot)
