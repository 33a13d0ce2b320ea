"""EVM addresses: validation to the EIP-55 checksummed form, and the address
of a public key (the last 20 bytes of keccak of the uncompressed key)."""

from __future__ import annotations

import re

from coincurve import PublicKey
from eth_utils import keccak, to_checksum_address

from chain.interfaces import InvalidAddress

HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def address_of(key: PublicKey) -> str:
    """The EIP-55 address of a secp256k1 public key."""
    return to_checksum_address(keccak(key.format(compressed=False)[1:])[-20:])


class EvmAddressValidator:
    """Any EVM chain (Ethereum, BNB Smart Chain, ...): the address format does
    not name the chain, so the network is checked on the node (chain id)."""

    def normalize(self, address: str) -> str:
        text = address.strip() if isinstance(address, str) else ""
        if not HEX_ADDRESS.fullmatch(text):
            raise InvalidAddress("EVM address: expected 0x and 40 hex digits")
        canonical = to_checksum_address(text)
        mixed_case = text[2:] not in (text[2:].lower(), text[2:].upper())
        if mixed_case and text != canonical:
            raise InvalidAddress("EVM address: EIP-55 checksum mismatch (mistyped?)")
        if int(text, 16) == 0:
            raise InvalidAddress("EVM address: the zero address burns funds")
        return canonical
