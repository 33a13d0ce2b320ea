"""The sweeper's account xprv signs for exactly the addresses the API server
derives from the xpub (and eth_account from the mnemonic); a key that does not
match the configured xpub is refused at start."""

from __future__ import annotations

import pytest
from eth_account import Account

from chain.bip32 import ExtendedPrivateKey
from chain.errors import ChainMismatch
from chain.evm_derivation import EvmAddressDeriver
from chain.evm_sweep import evm_deposit_signer
from chain.evm_tokens import EvmChain
from chain.interfaces import InvalidAddress
from tests.cashier_chains import MNEMONIC, XPRV, XPUB


def test_private_derivation_gives_the_xpub_addresses_and_the_wallets():
    Account.enable_unaudited_hdwallet_features()
    deriver = EvmAddressDeriver(XPUB)
    external = ExtendedPrivateKey.parse(XPRV).child(0)
    for index in (0, 1, 7):
        key = external.child(index).secret
        wallet = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        assert Account.from_key(key).address == deriver.address(index) == wallet.address


def test_the_signer_refuses_a_key_of_other_addresses_and_public_keys():
    chain = EvmChain("bsc", 56, "BNB")
    from bitcoinlib.keys import HDKey

    other = HDKey(witness_type="legacy").wif_private()  # another wallet's key
    with pytest.raises(ChainMismatch):
        evm_deposit_signer(None, chain, other, XPUB)
    with pytest.raises(InvalidAddress):
        ExtendedPrivateKey.parse(XPUB)
    signer = evm_deposit_signer(None, chain, XPRV, XPUB)
    assert signer(3).hot_address() == EvmAddressDeriver(XPUB).address(3)
