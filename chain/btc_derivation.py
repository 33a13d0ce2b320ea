"""BIP84 deposit addresses (native segwit, bech32) from an account zpub/vpub.

The extended key is the account `m/84'/0'/0'` (main net, zpub) or
`m/84'/1'/0'` (test nets, vpub); address i is `.../0/i`. Only public
derivation: the API server never holds a private key. On regtest the test-net
key gives `bcrt1` addresses.
"""

from __future__ import annotations

from chain.bitcoinlib_home import Address, BKeyError, HDKey
from chain.btc_networks import BitcoinNetwork, bitcoin_network
from chain.interfaces import InvalidAddress

EXTERNAL_CHAIN = 0


class Bip84AddressDeriver:
    def __init__(self, account_key: str, network: BitcoinNetwork | str):
        self.network = network if isinstance(network, BitcoinNetwork) else bitcoin_network(network)
        key = parse_account_key(account_key.strip(), self.network)
        self._external = key.child_public(EXTERNAL_CHAIN)

    def address(self, index: int) -> str:
        if not 0 <= index < 2**31:
            raise ValueError(f"child index {index} must be in [0, 2**31)")
        child = self._external.child_public(index)
        return Address(child.public_byte, network=self.network.address_networks[0],
                       script_type="p2wpkh", encoding="bech32").address


def parse_account_key(text: str, network: BitcoinNetwork) -> HDKey:
    try:
        key = HDKey(text, network=network.bitcoinlib)
    except (BKeyError, ValueError) as error:
        raise InvalidAddress(f"extended key for {network}: {error}") from None
    if key.is_private:
        raise InvalidAddress("extended key: not an extended PUBLIC key")
    if key.witness_type != "segwit":
        raise InvalidAddress("extended key: BIP84 needs a zpub/vpub (native segwit)")
    return key
