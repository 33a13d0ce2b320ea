"""Bitcoin: BIP84 deposit addresses equal the published test vectors, and
destination validation (checksum, network, case, script types)."""

import pytest

from chain.btc_addresses import BtcAddressValidator
from chain.btc_derivation import Bip84AddressDeriver
from chain.interfaces import AddressDeriver, AddressValidator, InvalidAddress
from tests.chains.keys import BTC_VPUB as TEST_VPUB
from tests.chains.keys import BTC_ZPUB as BIP84_ZPUB

# BIP84's test vectors, mnemonic "abandon abandon ... about", account 0.
BIP84_RECEIVE = ["bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",   # m/84'/0'/0'/0/0
                 "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"]   # m/84'/0'/0'/0/1
BIP84_PRIVATE_ZPRV = ("zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42"
                      "nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE")


def test_bip84_addresses_from_the_zpub_equal_the_published_vectors():
    deriver = Bip84AddressDeriver(BIP84_ZPUB, "mainnet")
    assert isinstance(deriver, AddressDeriver)
    assert [deriver.address(i) for i in range(2)] == BIP84_RECEIVE


def test_regtest_and_testnet_addresses_come_from_a_vpub():
    regtest = Bip84AddressDeriver(TEST_VPUB, "regtest").address(0)
    testnet = Bip84AddressDeriver(TEST_VPUB, "testnet").address(0)
    assert regtest.startswith("bcrt1q") and testnet.startswith("tb1q")
    assert BtcAddressValidator("regtest").normalize(regtest) == regtest


@pytest.mark.parametrize("key, network, reason", [
    (TEST_VPUB, "mainnet", "different network"),
    (BIP84_ZPUB, "regtest", "different network"),
    (BIP84_PRIVATE_ZPRV, "mainnet", "PUBLIC"),
])
def test_an_extended_key_of_the_wrong_kind_is_refused(key, network, reason):
    with pytest.raises(InvalidAddress, match=reason):
        Bip84AddressDeriver(key, network)


def test_hardened_indexes_cannot_be_derived_from_a_public_key():
    with pytest.raises(ValueError):
        Bip84AddressDeriver(BIP84_ZPUB, "mainnet").address(2**31)


@pytest.mark.parametrize("network, written, canonical", [
    ("mainnet", BIP84_RECEIVE[0], BIP84_RECEIVE[0]),
    ("mainnet", BIP84_RECEIVE[0].upper(), BIP84_RECEIVE[0]),  # QR-code form
    ("mainnet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
    ("mainnet", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ("mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),  # taproot, BIP350
    ("testnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
     "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
    ("regtest", "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk",
     "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"),
    ("regtest", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"),
])
def test_valid_destinations_come_back_canonical(network, written, canonical):
    validator = BtcAddressValidator(network)
    assert isinstance(validator, AddressValidator)
    assert validator.normalize(f" {written} ") == canonical


@pytest.mark.parametrize("network, written, reason", [
    ("mainnet", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv", "checksum"),
    ("mainnet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "checksum|characters"),
    ("mainnet", "Bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "mixed case"),
    ("mainnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet address, expected mainnet"),
    ("mainnet", "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk", "regtest address, expected mainnet"),
    ("testnet", BIP84_RECEIVE[0], "bitcoin address, expected testnet"),
    ("regtest", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet address, expected regtest"),
    ("mainnet", "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "litecoin address"),
    ("mainnet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "Bitcoin address"),
    ("mainnet", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "length"),
    ("mainnet", "", "empty"),
])
def test_invalid_destinations_say_why(network, written, reason):
    with pytest.raises(InvalidAddress, match=reason):
        BtcAddressValidator(network).normalize(written)
