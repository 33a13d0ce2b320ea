"""BIP44 deposit addresses for EVM chains from the account xpub alone.

The xpub is the account key `m/44'/60'/0'` (export it once, offline, from the
mnemonic); address i is `m/44'/60'/0'/0/i`, the same address a wallet such as
eth_account's `from_mnemonic(..., account_path="m/44'/60'/0'/0/i")` shows.
"""

from __future__ import annotations

from chain.bip32 import ExtendedPublicKey
from chain.evm_addresses import address_of

EXTERNAL_CHAIN = 0


class EvmAddressDeriver:
    def __init__(self, account_xpub: str):
        self._external = ExtendedPublicKey.parse(account_xpub).child(EXTERNAL_CHAIN)

    def address(self, index: int) -> str:
        return address_of(self._external.child(index).key)
