"""Solana deposit addresses and the sweeper's keys.

Solana keys are ed25519 and SLIP-10 derives ed25519 keys along hardened steps
only, so no public key can derive deposit addresses. The addresses are
therefore exported offline from the seed (`export_addresses`, path
`m/44'/501'/i'/0'`, as Phantom and Solflare derive them; the tests check the
published vector of the "abandon ... about" mnemonic) into a file, one per
line in index order, which the API server reads (`SolanaAddressList`): it
holds no key. The sweeper alone holds the seed (CASINO_LEDGER_SWEEP_KEYS, hex)
and re-derives each address's key, refusing one that does not give the
listed address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

from solders.keypair import Keypair

from chain.errors import ChainMismatch

HARDENED = 2**31


def slip10_ed25519(seed: bytes, path: tuple[int, ...]) -> bytes:
    digest = hmac.new(b"ed25519 seed", seed, hashlib.sha512).digest()
    key, chain_code = digest[:32], digest[32:]
    for index in path:
        digest = hmac.new(chain_code, b"\0" + key + (index | HARDENED).to_bytes(4, "big"),
                          hashlib.sha512).digest()
        key, chain_code = digest[:32], digest[32:]
    return key


def deposit_keypair(seed: bytes, index: int) -> Keypair:
    return Keypair.from_seed(slip10_ed25519(seed, (44, 501, index, 0)))


def export_addresses(seed: bytes, count: int, start: int = 0) -> list[str]:
    """Offline, beside the seed: the deposit addresses to configure."""
    return [str(deposit_keypair(seed, i).pubkey()) for i in range(start, start + count)]


class SolanaAddressList:
    """Deposit address i is line i of the exported file."""

    def __init__(self, path: str | Path):
        self.addresses = [line.strip() for line in Path(path).read_text().splitlines()
                          if line.strip()]

    def address(self, index: int) -> str:
        if index >= len(self.addresses):
            raise ValueError(f"solana: the address list holds {len(self.addresses)} "
                             "addresses; export more")
        return self.addresses[index]


def deposit_secrets(seed_hex: str, addresses: SolanaAddressList | None,
                    chain: str) -> Callable[[int], bytes]:
    seed = bytes.fromhex(seed_hex.removeprefix("0x"))

    def secret(index: int) -> bytes:
        keypair = deposit_keypair(seed, index)
        if addresses is not None and str(keypair.pubkey()) != addresses.address(index):
            raise ChainMismatch(f"{chain}: the sweep seed does not give deposit "
                                f"address {index}")
        return bytes(keypair)[:32]

    return secret
