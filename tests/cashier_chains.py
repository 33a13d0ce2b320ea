"""The cashier on real local chains: services wired to an EVM chain's adapters.

`evm_services` bootstraps the ledger (on the test's backend) with the
ethereum chain's real adapters over a local EVM (eth-tester, or anvil):
deposit addresses from an account xpub, the block source, and a funded hot
wallet. Confirmations are 12 (seed 004); the deposit minimum is small.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path

from eth_account import Account

from api.bootstrap import Services, bootstrap
from api.cashier_wiring import ChainClients
from api.config.settings import Settings
from chain.evm_addresses import EvmAddressValidator
from chain.evm_derivation import EvmAddressDeriver
from chain.evm_node import connect_evm
from chain.evm_sender import EvmSender
from chain.evm_source import EvmBlockSource

MNEMONIC = ("abandon abandon abandon abandon abandon abandon abandon abandon "
            "abandon abandon abandon about")
CASHIER_TOML = """
[cashier]
min_deposit = { ETH = "0.001", USDT = "1" }
{extra}
[cashier.chains.ethereum]
kind = "evm"
currencies = ["ETH", "USDT"]
confirmations = 12
"""


def account_xpub() -> str:
    """m/44'/60'/0' as an xpub, as an operator exports it offline."""
    os.environ.setdefault("BCL_DATA_DIR", tempfile.mkdtemp(prefix="bcl-"))
    from bitcoinlib.keys import HDKey
    from bitcoinlib.mnemonic import Mnemonic

    root = HDKey.from_seed(Mnemonic().to_seed(MNEMONIC), witness_type="legacy")
    return root.subkey_for_path("m/44'/60'/0'").wif_public()


XPUB = account_xpub()


def evm_clients(local_evm, *, hot_eth: str = "100", hot_usdt: str = "0") -> ChainClients:
    chain = local_evm.chain()
    w3 = connect_evm(local_evm.w3, chain)
    sender = EvmSender(w3, chain, Account.create().key.hex())
    if Decimal(hot_eth):
        local_evm.pay(sender.hot_address(), Decimal(hot_eth))
    if Decimal(hot_usdt):
        local_evm.pay(sender.hot_address(), Decimal(hot_usdt), "USDT")
    return ChainClients(deriver=EvmAddressDeriver(XPUB), validator=EvmAddressValidator(),
                        source=EvmBlockSource(w3, chain), sender=sender)


def evm_services(settings: Settings, tmp_path: Path, local_evm, *, extra: str = "",
                 **hot: str) -> Services:
    config = tmp_path / "cashier.toml"
    config.write_text(CASHIER_TOML.replace("{extra}", extra))
    return bootstrap(settings.model_copy(update={"config": config}),
                     chains={"ethereum": evm_clients(local_evm, **hot)})


BTC_TOML = """
[cashier]
min_deposit = { BTC = "0.0001" }
[cashier.chains.bitcoin]
kind = "bitcoin"
network = "regtest"
currencies = ["BTC"]
confirmations = 2
"""


def btc_clients(node) -> ChainClients:
    """The real Bitcoin adapters on the local regtest chain's JSON-RPC."""
    from chain.btc_addresses import BtcAddressValidator
    from chain.btc_derivation import Bip84AddressDeriver
    from chain.btc_rpc import connect_bitcoind
    from chain.btc_sender import BitcoinSender
    from chain.btc_source import BitcoinBlockSource
    from tests.chains.keys import BTC_HOT_KEY, BTC_VPUB

    rpc = connect_bitcoind(node.url, "regtest", node.user, node.password)
    return ChainClients(deriver=Bip84AddressDeriver(BTC_VPUB, "regtest"),
                        validator=BtcAddressValidator("regtest"),
                        source=BitcoinBlockSource(rpc),
                        sender=BitcoinSender(rpc, "regtest", BTC_HOT_KEY))


def btc_services(settings: Settings, tmp_path: Path, node) -> Services:
    config = tmp_path / "cashier.toml"
    config.write_text(BTC_TOML)
    return bootstrap(settings.model_copy(update={"config": config}),
                     chains={"bitcoin": btc_clients(node)})
