"""Tron deposit addresses from the account xpub alone (BIP44 coin type 195).

The xpub is the account key `m/44'/195'/0'` (exported once, offline); address
i is `m/44'/195'/0'/0/i`: base58check of 0x41 + keccak of the uncompressed
public key's last 20 bytes, as Tron wallets derive it (the tests check the
published vector of the "abandon ... about" mnemonic). The sweeper signs for
them with the matching account xprv (`tron_deposit_signer`).
"""

from __future__ import annotations

from collections.abc import Callable

from chain.bip32 import ExtendedPublicKey, deposit_keys
from chain.tron_node import TronChain, TronHttp
from chain.tron_protocol import address_of_key
from chain.tron_sender import TronSender

EXTERNAL_CHAIN = 0


class TronAddressDeriver:
    def __init__(self, account_xpub: str):
        self._external = ExtendedPublicKey.parse(account_xpub).child(EXTERNAL_CHAIN)

    def address(self, index: int) -> str:
        return address_of_key(self._external.child(index).key)


def tron_deposit_signer(node: TronHttp, chain: TronChain, account_xprv: str,
                        account_xpub: str | None) -> Callable[[int], TronSender]:
    key_of = deposit_keys(account_xprv, account_xpub, chain.name)
    cache: dict[int, TronSender] = {}

    def signer(index: int) -> TronSender:
        if index not in cache:
            cache[index] = TronSender(node, chain, key_of(index).hex())
        return cache[index]

    return signer
