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


BSC_TOML = """
[cashier]
min_deposit = { BNB = "0.001", USDT = "1" }
{extra}
[cashier.chains.bsc]
kind = "evm"
currencies = ["BNB", "USDT"]
confirmations = 15
{chain}
"""


def sweep_toml(chain: str, sweep: dict[str, dict[str, str]] | None) -> str:
    """`[cashier.chains.<chain>.sweep.<CODE>]` sections from {CODE: {key: TOML value}}."""
    return "".join(f"[cashier.chains.{chain}.sweep.{currency}]\n" + "".join(
        f"{key} = {value}\n" for key, value in rule.items())
        for currency, rule in (sweep or {}).items())


def record_hot_capital(services: Services, chain: str) -> None:
    """The coins the test put on the hot wallet, recorded as capital (a funding)."""
    from domain.cashier.treasury.funding import RecordFunding

    sender = services.chains[chain].sender
    for code in services.ledger.rules.cashier.chain(chain).currencies:
        services.ledger.execute(RecordFunding(code, sender.balance(code), f"genesis-{code}",
                                              "fin-alice", "capital"))


def bsc_services(settings: Settings, tmp_path: Path, local_evm, *, extra: str = "",
                 chain_extra: str = "", hot_bnb: str = "100", hot_usdt: str = "1000",
                 sweep: dict[str, dict[str, str]] | None = None) -> Services:
    """BNB Smart Chain on the local EVM (BNB is the chain's native coin, USDT a
    BEP-20 token; legacy gas pricing, as BSC). On anvil everything is built from
    configuration (rpc_url, chain_id, tokens, CASINO_LEDGER_HOT_KEYS, and with
    `sweep` the sweep rules and CASINO_LEDGER_SWEEP_KEYS) exactly as in
    production; eth-tester has no URL, so its clients are injected."""
    from pydantic import SecretStr

    from tests.chains.evm import TOKEN_DECIMALS

    hot = Account.create()
    local_evm.pay(hot.address, Decimal(hot_bnb))
    if Decimal(hot_usdt):
        local_evm.pay(hot.address, Decimal(hot_usdt), "USDT")
    chain_id = local_evm.w3.eth.chain_id
    token = local_evm.token.address
    config = tmp_path / "cashier.toml"
    url = getattr(local_evm, "url", None)
    node = (f'rpc_url = "{url}"\nchain_id = {chain_id}\nxpub = "{XPUB}"\n'
            f'tokens = {{ USDT = {{ contract = "{token}", decimals = {TOKEN_DECIMALS} }} }}\n'
            if url else "")
    rules = sweep_toml("bsc", sweep)
    config.write_text(BSC_TOML.replace("{extra}", extra)
                      .replace("{chain}", node + chain_extra) + rules)
    keys = {"hot_keys": {"bsc": SecretStr(hot.key.hex())}}
    if sweep:
        keys["sweep_keys"] = {"bsc": SecretStr(XPRV)}
    settings = settings.model_copy(update={"config": config, **keys})
    if url:
        return bootstrap(settings)
    from chain.evm_tokens import Erc20Token, EvmChain

    evm = EvmChain("bsc", chain_id, "BNB", (Erc20Token("USDT", token, TOKEN_DECIMALS),),
                   eip1559=False)
    w3 = connect_evm(local_evm.w3, evm)
    clients = ChainClients(deriver=EvmAddressDeriver(XPUB), validator=EvmAddressValidator(),
                           source=EvmBlockSource(w3, evm), sender=EvmSender(w3, evm, hot.key.hex()))
    if sweep:
        from api.config.business import load_config
        from api.config.chains import sweep_rules
        from chain.evm_sweep import evm_deposit_signer

        clients.deposit_signer = evm_deposit_signer(w3, evm, XPRV, XPUB)
        clients.sweep_rules = sweep_rules(load_config(config).cashier.chains["bsc"])
    services = bootstrap(settings, chains={"bsc": clients})
    return services


def account_xprv() -> str:
    """m/44'/60'/0' as an xprv: the sweeper's key of the deposit addresses."""
    from bitcoinlib.keys import HDKey
    from bitcoinlib.mnemonic import Mnemonic

    root = HDKey.from_seed(Mnemonic().to_seed(MNEMONIC), witness_type="legacy")
    return root.subkey_for_path("m/44'/60'/0'").wif_private()


XPRV = account_xprv()


TRON_TOML = """
[cashier]
min_deposit = { TRX = "1", USDT = "1" }
[cashier.chains.tron]
kind = "tron"
currencies = ["TRX", "USDT"]
confirmations = 20
rpc_url = "{url}"
genesis_block = "{genesis}"
xpub = "{xpub}"
tokens = { USDT = { contract = "{usdt}", decimals = 6 } }
"""


def tron_account_keys() -> tuple[str, str]:
    """m/44'/195'/0' as xpub and xprv (the abandon ... about test mnemonic)."""
    from bitcoinlib.keys import HDKey
    from bitcoinlib.mnemonic import Mnemonic

    root = HDKey.from_seed(Mnemonic().to_seed(MNEMONIC), witness_type="legacy")
    account = root.subkey_for_path("m/44'/195'/0'")
    return account.wif_public(), account.wif_private()


TRON_XPUB, TRON_XPRV = tron_account_keys()


def tron_services(settings: Settings, tmp_path: Path, node, *, hot_trx: str = "10000",
                  hot_usdt: str = "10000", sweep: dict[str, dict[str, str]] | None = None,
                  cashier: str = "") -> Services:
    """Tron built from configuration as in production (rpc_url, genesis_block,
    tokens, CASINO_LEDGER_HOT_KEYS, CASINO_LEDGER_SWEEP_KEYS), on the local
    test double of a Tron node's HTTP API (not a Tron node)."""
    from pydantic import SecretStr

    from tests.chains.tron_node import USDT_CONTRACT

    hot = Account.create().key.hex()
    from coincurve import PrivateKey

    from chain.tron_protocol import address_of_key

    hot_address = address_of_key(PrivateKey(bytes.fromhex(hot[2:] if hot.startswith("0x")
                                                           else hot)).public_key)
    node.pay(hot_address, hot_trx)
    if Decimal(hot_usdt):
        node.pay(hot_address, hot_usdt, "USDT")
    rules = sweep_toml("tron", sweep)
    config = tmp_path / "cashier.toml"
    config.write_text(TRON_TOML.replace("[cashier]\n", f"[cashier]\n{cashier}\n", 1)
                      .replace("{url}", node.url)
                      .replace("{genesis}", node.chain.blocks[0]["blockID"])
                      .replace("{xpub}", TRON_XPUB).replace("{usdt}", USDT_CONTRACT) + rules)
    keys: dict = {"hot_keys": {"tron": SecretStr(hot)}}
    if sweep:
        keys["sweep_keys"] = {"tron": SecretStr(TRON_XPRV)}
    return bootstrap(settings.model_copy(update={"config": config, **keys}))


def cash(services: Services, player: str, currency: str) -> Decimal:
    wallet = services.ledger.wallet(player, currency)
    return wallet.cash if wallet else Decimal(0)


def reconciled(services: Services) -> dict:
    """(discrepancy, verdict) of every currency with a hot wallet, reconciled now."""
    reports = services.cashier.reconciler().run("run")
    return {c: (r.discrepancy, r.verdict) for c, r in reports.items()}


SOLANA_TOML = """
[cashier]
min_deposit = { SOL = "0.01", USDC = "1" }
[cashier.chains.solana]
kind = "solana"
currencies = ["SOL", "USDC"]
confirmations = 30
rpc_url = "{url}"
genesis_block = "{genesis}"
address_file = "{addresses}"
tokens = { USDC = { contract = "{mint}", decimals = 6 } }
"""


def solana_seed() -> bytes:
    from bitcoinlib.mnemonic import Mnemonic

    return Mnemonic().to_seed(MNEMONIC)


def solana_services(settings: Settings, tmp_path: Path, cluster, *, hot_sol: str = "100",
                    hot_usdc: str = "10000", sweep: dict[str, dict[str, str]] | None = None,
                    cashier: str = "") -> Services:
    """Solana built from configuration as in production (rpc_url, genesis,
    the exported address file, CASINO_LEDGER_HOT_KEYS and _SWEEP_KEYS), on the
    SVM behind a local JSON-RPC."""
    from pydantic import SecretStr
    from solders.keypair import Keypair

    from chain.solana_keys import export_addresses

    hot = Keypair()
    cluster.pay(str(hot.pubkey()), hot_sol)
    if Decimal(hot_usdc):
        cluster.pay(str(hot.pubkey()), hot_usdc, "USDC")
    addresses = tmp_path / "solana-addresses.txt"
    addresses.write_text("\n".join(export_addresses(solana_seed(), 20)) + "\n")
    rules = sweep_toml("solana", sweep)
    config = tmp_path / "cashier.toml"
    config.write_text(SOLANA_TOML.replace("[cashier]\n", f"[cashier]\n{cashier}\n", 1)
                      .replace("{url}", cluster.url)
                      .replace("{genesis}", cluster.cluster.genesis)
                      .replace("{addresses}", str(addresses))
                      .replace("{mint}", str(cluster.cluster.mint.pubkey())) + rules)
    keys: dict = {"hot_keys": {"solana": SecretStr(bytes(hot)[:32].hex())}}
    if sweep:
        keys["sweep_keys"] = {"solana": SecretStr(solana_seed().hex())}
    return bootstrap(settings.model_copy(update={"config": config, **keys}))
