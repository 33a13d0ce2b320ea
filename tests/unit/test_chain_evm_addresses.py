"""EVM addresses: EIP-55 validation, and BIP44 deposit addresses derived from
the account xpub alone equal the wallet's (eth_account from_mnemonic)."""

import pytest
from eth_account import Account

from chain.bip32 import ExtendedPublicKey
from chain.bitcoinlib_home import HDKey, Mnemonic
from chain.evm_addresses import EvmAddressValidator
from chain.evm_derivation import EvmAddressDeriver
from chain.interfaces import AddressDeriver, AddressValidator, InvalidAddress
from tests.chains.keys import EVM_ACCOUNT_XPUB, TEST_MNEMONIC

MNEMONIC = TEST_MNEMONIC
CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 test vector


@pytest.fixture(scope="module")
def account_xpub() -> str:
    """m/44'/60'/0' exported as an xpub, the way an operator would, offline."""
    seed = Mnemonic().to_seed(MNEMONIC)
    root = HDKey.from_seed(seed, witness_type="legacy")
    return root.subkey_for_path("m/44'/60'/0'").wif_public()


def test_deposit_addresses_from_the_xpub_equal_the_wallet_addresses(account_xpub):
    Account.enable_unaudited_hdwallet_features()
    deriver = EvmAddressDeriver(account_xpub)
    for index in (0, 1, 2, 19, 2**31 - 1):
        wallet = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        assert deriver.address(index) == wallet.address


def test_the_shared_test_xpub_is_this_mnemonics_account_key(account_xpub):
    assert account_xpub == EVM_ACCOUNT_XPUB


def test_the_same_index_always_gives_the_same_address(account_xpub):
    assert EvmAddressDeriver(account_xpub).address(7) == EvmAddressDeriver(account_xpub).address(7)
    assert isinstance(EvmAddressDeriver(account_xpub), AddressDeriver)


def test_a_private_extended_key_is_refused(account_xpub):
    root = HDKey.from_seed(Mnemonic().to_seed(MNEMONIC), witness_type="legacy")
    with pytest.raises(InvalidAddress, match="PUBLIC"):
        EvmAddressDeriver(root.subkey_for_path("m/44'/60'/0'").wif_private())


def test_a_mistyped_xpub_fails_its_checksum(account_xpub):
    typo = account_xpub[:-5] + ("A" if account_xpub[-5] != "A" else "B") + account_xpub[-4:]
    with pytest.raises(InvalidAddress, match="checksum"):
        ExtendedPublicKey.parse(typo)


def test_hardened_or_negative_indexes_are_refused(account_xpub):
    with pytest.raises(ValueError):
        EvmAddressDeriver(account_xpub).address(2**31)
    with pytest.raises(ValueError):
        EvmAddressDeriver(account_xpub).address(-1)


@pytest.mark.parametrize("written", [CHECKSUMMED, CHECKSUMMED.lower(),
                                     "0x" + CHECKSUMMED[2:].upper(), f"  {CHECKSUMMED} "])
def test_valid_addresses_come_back_checksummed(written):
    validator = EvmAddressValidator()
    assert isinstance(validator, AddressValidator)
    assert validator.normalize(written) == CHECKSUMMED


@pytest.mark.parametrize("written, reason", [
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "checksum"),
    ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "40 hex"),
    ("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "40 hex"),
    ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "40 hex"),
    ("0x" + "0" * 40, "zero address"),
    ("", "40 hex"),
])
def test_invalid_addresses_say_why(written, reason):
    with pytest.raises(InvalidAddress, match=reason):
        EvmAddressValidator().normalize(written)
