"""Bitcoin networks: what each accepts, and what a node on it reports.

Test networks share base58 prefixes (m/n, 2), so a legacy test-net address
is also valid on regtest; bech32 prefixes differ (tb, bcrt). Deposit
addresses are always native segwit (BIP84, bech32).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BitcoinNetwork:
    name: str  # as configured: mainnet, testnet, signet, regtest
    bitcoinlib: str  # bitcoinlib's network name for keys
    hrp: str  # bech32 human-readable part
    node_chains: tuple[str, ...]  # getblockchaininfo "chain" values
    address_networks: tuple[str, ...]  # bitcoinlib networks of valid addresses, own first

    def __str__(self) -> str:
        return self.name


NETWORKS = {
    network.name: network for network in (
        BitcoinNetwork("mainnet", "bitcoin", "bc", ("main",), ("bitcoin",)),
        BitcoinNetwork("testnet", "testnet", "tb", ("test", "testnet4"),
                       ("testnet", "testnet4", "signet")),
        BitcoinNetwork("signet", "testnet", "tb", ("signet",), ("signet", "testnet", "testnet4")),
        BitcoinNetwork("regtest", "testnet", "bcrt", ("regtest",), ("regtest", "testnet")),
    )
}


def bitcoin_network(name: str) -> BitcoinNetwork:
    try:
        return NETWORKS[name]
    except KeyError:
        raise ValueError(f"unknown Bitcoin network {name!r} (known: {', '.join(NETWORKS)})") from None
