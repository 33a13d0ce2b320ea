"""Solana deposit addresses: SLIP-10 ed25519 along m/44'/501'/i'/0' equals the
published vector of the "abandon ... about" mnemonic (Phantom, Trust Wallet);
the sweeper's seed must give the listed addresses."""

from __future__ import annotations

import pytest

from chain.errors import ChainMismatch
from chain.solana_keys import SolanaAddressList, deposit_secrets, export_addresses
from tests.cashier_chains import solana_seed


def test_the_first_address_is_the_published_vector():
    assert export_addresses(solana_seed(), 1) == ["HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk"]


def test_the_sweep_seed_must_give_the_listed_addresses(tmp_path):
    listed = tmp_path / "addresses.txt"
    listed.write_text("\n".join(export_addresses(solana_seed(), 3)))
    addresses = SolanaAddressList(listed)
    assert len(deposit_secrets(solana_seed().hex(), addresses, "solana")(2)) == 32
    with pytest.raises(ChainMismatch):
        deposit_secrets(bytes(64).hex(), addresses, "solana")(0)
    with pytest.raises(ValueError, match="export more"):
        addresses.address(3)
