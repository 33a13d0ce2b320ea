"""Chain clients from configuration: what each configured chain may do here.

An `xpub` gives deposit addresses; an `rpc_url` a block source (and the
chain id and token contracts are checked against the node at start) and
withdrawal requests (their destinations validated for the chain's network);
a hot key in CASINO_LEDGER_HOT_KEYS (never in the file) a sender.
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from api.cashier_wiring import ChainClients
from api.config.cashier import CashierConfig, ChainConfig
from api.config.settings import Settings


def build_chains(config: CashierConfig, settings: Settings) -> dict[str, ChainClients]:
    keys = {name: key.get_secret_value() for name, key in settings.hot_keys.items()}
    return {name: clients(name, chain, keys.get(name))
            for name, chain in config.chains.items()}


def clients(name: str, chain: ChainConfig, hot_key: str | None) -> ChainClients:
    from chain.validators import validator_for

    # Withdrawals are taken only for a chain with a node: without one nothing
    # could send them, and their funds would stay locked.
    built = ChainClients(validator=validator_for(chain.kind, chain.network)
                         if chain.rpc_url else None,
                         start_height=chain.start_height, cold_address=chain.cold_address,
                         cold_balances=chain.cold_balances)
    if chain.kind == "evm":
        evm_clients(name, chain, hot_key, built)
    elif chain.kind == "bitcoin":
        bitcoin_clients(name, chain, hot_key, built)
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
                built: ChainClients) -> None:
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
