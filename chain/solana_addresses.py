"""Solana destination addresses: base58 of a 32-byte ed25519 public key.

There is no checksum, so a typo that still decodes to 32 bytes is caught only
if it falls off the curve (about half do); an off-curve key is a program
derived address, which no wallet controls, so it is refused as a
destination. Main net, devnet and testnet share the format.
"""

from __future__ import annotations

import base58
from solders.pubkey import Pubkey

from chain.interfaces import InvalidAddress


class SolanaAddressValidator:
    def normalize(self, address: str) -> str:
        text = address.strip() if isinstance(address, str) else ""
        try:
            raw = base58.b58decode(text)
        except ValueError:
            raise InvalidAddress("Solana address: not base58") from None
        if len(raw) != 32:
            raise InvalidAddress(f"Solana address: {len(raw)} bytes, expected 32")
        key = Pubkey.from_bytes(raw)
        if not any(raw):
            raise InvalidAddress("Solana address: the system program, not a wallet")
        if not key.is_on_curve():
            raise InvalidAddress("Solana address: not on the ed25519 curve (a program "
                                 "address, or mistyped)")
        return str(key)
