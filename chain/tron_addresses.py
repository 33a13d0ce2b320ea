"""Tron destination addresses: base58check of 0x41 + a 20-byte account id.

Main net and the Nile and Shasta test nets share the 0x41 prefix, so the
format cannot tell networks apart (the node's chain is checked instead).
`tronpy` is not used: it conflicts with web3 8.
"""

from __future__ import annotations

import base58

from chain.interfaces import InvalidAddress

TRON_PREFIX = 0x41


class TronAddressValidator:
    def normalize(self, address: str) -> str:
        text = address.strip() if isinstance(address, str) else ""
        try:
            payload = base58.b58decode_check(text)
        except ValueError as error:
            raise InvalidAddress(f"Tron address: {plain(error)}") from None
        if len(payload) != 21:
            raise InvalidAddress(f"Tron address: {len(payload)} bytes, expected 21")
        if payload[0] != TRON_PREFIX:
            raise InvalidAddress(f"Tron address: prefix 0x{payload[0]:02x}, expected 0x41 (T...)")
        if not any(payload[1:]):
            raise InvalidAddress("Tron address: the zero address burns funds")
        return text


def plain(error: ValueError) -> str:
    text = str(error)
    if "checksum" in text.lower():
        return "checksum mismatch (mistyped?)"
    return f"not base58 ({text})"
