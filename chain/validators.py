"""Which destination validator serves a chain and network.

`validator_for("bitcoin", "regtest")`, `validator_for("evm", "mainnet")`...
Bitcoin addresses name their network, so its validator refuses another
network's; EVM, Tron and Solana addresses look the same on every network,
where the node's chain id (checked at start) keeps networks apart.
"""

from __future__ import annotations

from collections.abc import Callable

from chain.btc_addresses import BtcAddressValidator
from chain.evm_addresses import EvmAddressValidator
from chain.interfaces import AddressValidator
from chain.solana_addresses import SolanaAddressValidator
from chain.tron_addresses import TronAddressValidator

FACTORIES: dict[str, Callable[[str], AddressValidator]] = {
    "bitcoin": BtcAddressValidator,
    "evm": lambda network: EvmAddressValidator(),
    "ethereum": lambda network: EvmAddressValidator(),
    "bsc": lambda network: EvmAddressValidator(),
    "tron": lambda network: TronAddressValidator(),
    "solana": lambda network: SolanaAddressValidator(),
}


def validator_for(chain: str, network: str = "mainnet") -> AddressValidator:
    """The validator for `chain` (bitcoin, evm/ethereum/bsc, tron, solana);
    raises ValueError for an unknown chain or Bitcoin network."""
    try:
        factory = FACTORIES[chain]
    except KeyError:
        raise ValueError(f"no address validator for chain {chain!r} "
                         f"(known: {', '.join(FACTORIES)})") from None
    return factory(network)
