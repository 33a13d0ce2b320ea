"""Chain clients from configuration: what each configured chain may do here.

An `xpub` gives deposit addresses; an `rpc_url` a block source (and the
chain id and token contracts are checked against the node at start); a hot
key in CASINO_LEDGER_HOT_KEYS (never in the file) a sender. Destinations are
validated for every chain whose kind has a validator, node or not.
"""

from __future__ import annotations

from typing import Any

from api.cashier_services import ChainClients
from api.config_cashier import CashierConfig, ChainConfig
from api.settings import Settings


def build_chains(config: CashierConfig, settings: Settings) -> dict[str, ChainClients]:
    keys = {name: key.get_secret_value() for name, key in settings.hot_keys.items()}
    return {name: clients(name, chain, keys.get(name))
            for name, chain in config.chains.items()}


def clients(name: str, chain: ChainConfig, hot_key: str | None) -> ChainClients:
    built = ChainClients(validator=validator(chain), start_height=chain.start_height,
                         cold_address=chain.cold_address,
                         cold_balances=chain.cold_balances)
    if chain.kind == "evm":
        evm_clients(name, chain, hot_key, built)
    return built


def validator(chain: ChainConfig) -> Any:
    if chain.kind == "evm":
        from chain.evm_addresses import EvmAddressValidator

        return EvmAddressValidator()
    return None


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
        for currency, token in chain.tokens.items()))
    w3 = connect_evm(HTTPProvider(chain.rpc_url), evm)
    built.source = EvmBlockSource(w3, evm)
    if hot_key:
        built.sender = EvmSender(w3, evm, hot_key)
