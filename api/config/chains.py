"""Chain clients from configuration: what each configured chain may do here.

An `xpub` gives deposit addresses; an `rpc_url` a block source (and the
chain id and token contracts are checked against the node at start) and
withdrawal requests (their destinations validated for the chain's network);
a hot key in CASINO_LEDGER_HOT_KEYS (never in the file) a sender; the
account xprv of the deposit addresses in CASINO_LEDGER_SWEEP_KEYS (apart
from the hot keys) the sweeper's signer.
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from api.cashier_wiring import ChainClients
from api.config.cashier import CashierConfig, ChainConfig
from api.config.settings import Settings
from domain.cashier.sweeps.rules import SweepRule


def build_chains(config: CashierConfig, settings: Settings) -> dict[str, ChainClients]:
    keys = {name: key.get_secret_value() for name, key in settings.hot_keys.items()}
    sweep = {name: key.get_secret_value() for name, key in settings.sweep_keys.items()}
    unknown = set(sweep) - set(config.chains)
    if unknown:
        raise ValueError(f"CASINO_LEDGER_SWEEP_KEYS: no chain {sorted(unknown)}")
    return {name: clients(name, chain, keys.get(name), sweep.get(name))
            for name, chain in config.chains.items()}


def sweep_rules(chain: ChainConfig) -> dict[str, SweepRule]:
    return {currency: SweepRule(currency, rule.threshold, rule.every_seconds,
                                rule.minimum)
            for currency, rule in chain.sweep.items()}


def clients(name: str, chain: ChainConfig, hot_key: str | None,
            sweep_key: str | None = None) -> ChainClients:
    from chain.validators import validator_for

    # Withdrawals are taken only for a chain with a node: without one nothing
    # could send them, and their funds would stay locked.
    built = ChainClients(validator=validator_for(chain.kind, chain.network)
                         if chain.rpc_url else None,
                         start_height=chain.start_height, cold_address=chain.cold_address,
                         cold_balances=chain.cold_balances,
                         sweep_rules=sweep_rules(chain))
    if chain.kind == "evm":
        evm_clients(name, chain, hot_key, built, sweep_key)
    elif chain.kind == "bitcoin":
        bitcoin_clients(name, chain, hot_key, built)
    elif chain.kind == "tron":
        tron_clients(name, chain, hot_key, built, sweep_key)
    elif chain.kind == "solana":
        solana_clients(name, chain, hot_key, built, sweep_key)
    return built


def bitcoin_clients(name: str, chain: ChainConfig, hot_key: str | None,
                    built: ChainClients) -> None:
    """BIP84 addresses from the zpub (vpub on test networks); bitcoind over JSON-RPC
    (user and password in the URL: http://user:password@host:8332/)."""
    from chain.btc_derivation import Bip84AddressDeriver

    if chain.xpub:
        built.deriver = Bip84AddressDeriver(chain.xpub, chain.network)
    if not chain.rpc_url:
        return
    from chain.btc_rpc import connect_bitcoind
    from chain.btc_sender import BitcoinSender
    from chain.btc_source import BitcoinBlockSource

    url = urlparse(chain.rpc_url)
    bare = url._replace(netloc=url.hostname + (f":{url.port}" if url.port else "")).geturl()
    rpc = connect_bitcoind(bare, chain.network, unquote(url.username or ""),
                           unquote(url.password or ""))
    built.source = BitcoinBlockSource(rpc, name, chain.currencies[0])
    if hot_key:
        built.sender = BitcoinSender(rpc, chain.network, hot_key, chain=name,
                                     currency=chain.currencies[0])


def evm_clients(name: str, chain: ChainConfig, hot_key: str | None,
                built: ChainClients, sweep_key: str | None = None) -> None:
    from chain.evm_derivation import EvmAddressDeriver

    if chain.xpub:
        built.deriver = EvmAddressDeriver(chain.xpub)
    if not chain.rpc_url:
        return
    from web3 import HTTPProvider

    from chain.evm_node import connect_evm
    from chain.evm_sender import EvmSender
    from chain.evm_source import EvmBlockSource
    from chain.evm_tokens import Erc20Token, EvmChain

    if chain.chain_id is None:
        raise ValueError(f"cashier.chains.{name}: an rpc_url needs its chain_id")
    evm = EvmChain(name, chain.chain_id, chain.currencies[0], tuple(
        Erc20Token(currency, token.contract, token.decimals)
        for currency, token in chain.tokens.items()),
        eip1559=chain.uses_eip1559(name), token_gas_limit=chain.token_gas_limit)
    w3 = connect_evm(HTTPProvider(chain.rpc_url), evm)
    built.source = EvmBlockSource(w3, evm)
    if hot_key:
        built.sender = EvmSender(w3, evm, hot_key)
    if sweep_key:
        from chain.evm_sweep import evm_deposit_signer

        # The xprv must give the configured xpub: refused at start otherwise.
        built.deposit_signer = evm_deposit_signer(w3, evm, sweep_key, chain.xpub)


def tron_clients(name: str, chain: ChainConfig, hot_key: str | None,
                 built: ChainClients, sweep_key: str | None = None) -> None:
    """BIP44 coin 195 addresses from the xpub; a java-tron full node's HTTP API
    (its genesis block checked: main net's unless `genesis_block` is set)."""
    from chain.tron_derivation import TronAddressDeriver, tron_deposit_signer

    if chain.xpub:
        built.deriver = TronAddressDeriver(chain.xpub)
    if not chain.rpc_url:
        return
    from chain.tron_node import MAINNET_GENESIS, Trc20Token, TronChain, connect_tron
    from chain.tron_sender import TronSender
    from chain.tron_source import TronBlockSource

    tron = TronChain(name, chain.currencies[0], tuple(
        Trc20Token(currency, token.contract, token.decimals)
        for currency, token in chain.tokens.items()),
        genesis=chain.genesis_block or MAINNET_GENESIS,
        fee_limit_sun=chain.fee_limit_sun)
    node = connect_tron(chain.rpc_url, tron)
    built.source = TronBlockSource(node, tron)
    if hot_key:
        built.sender = TronSender(node, tron, hot_key)
    if sweep_key:
        built.deposit_signer = tron_deposit_signer(node, tron, sweep_key, chain.xpub)


def solana_clients(name: str, chain: ChainConfig, hot_key: str | None,
                   built: ChainClients, sweep_key: str | None = None) -> None:
    """Deposit addresses from the exported `address_file` (ed25519 keys cannot be
    derived from a public key); a cluster's JSON-RPC (its genesis hash checked:
    main-beta's unless `genesis_block` is set). The hot key is 32 bytes of hex
    (the keypair's secret seed); the sweep key the BIP39 seed, hex."""
    from chain.solana_keys import SolanaAddressList, deposit_secrets

    addresses = SolanaAddressList(chain.address_file) if chain.address_file else None
    built.deriver = addresses
    if not chain.rpc_url:
        return
    from chain.solana_node import MAINNET_GENESIS, SolanaChain, SplToken, connect_solana
    from chain.solana_sender import SolanaSender
    from chain.solana_source import SolanaBlockSource

    solana = SolanaChain(name, chain.currencies[0], tuple(
        SplToken(currency, token.contract, token.decimals)
        for currency, token in chain.tokens.items()),
        genesis=chain.genesis_block or MAINNET_GENESIS)
    rpc = connect_solana(chain.rpc_url, solana)
    built.source = SolanaBlockSource(rpc, solana)
    if hot_key:
        built.sender = SolanaSender(rpc, solana, hot_key)
    if sweep_key:
        secrets = deposit_secrets(sweep_key, addresses, name)
        built.deposit_signer = lambda index: SolanaSender(rpc, solana, secrets(index))
