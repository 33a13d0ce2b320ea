"""Tron and Solana destination validation, and the validator registry."""

import base58
import pytest
from eth_account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from chain.btc_addresses import BtcAddressValidator
from chain.evm_addresses import EvmAddressValidator
from chain.interfaces import AddressValidator, InvalidAddress
from chain.solana_addresses import SolanaAddressValidator
from chain.tron_addresses import TronAddressValidator
from chain.validators import validator_for

TRON_USDT_CONTRACT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def tron_of(evm_address: str) -> str:
    return base58.b58encode_check(b"\x41" + bytes.fromhex(evm_address[2:])).decode()


def test_a_tron_address_is_base58check_of_0x41_and_an_account_id():
    validator = TronAddressValidator()
    own = tron_of(Account.create().address)
    assert validator.normalize(own) == own and own.startswith("T")
    assert validator.normalize(f" {TRON_USDT_CONTRACT} ") == TRON_USDT_CONTRACT


@pytest.mark.parametrize("written, reason", [
    (TRON_USDT_CONTRACT[:-1] + "u", "checksum"),
    (TRON_USDT_CONTRACT.lower(), "not base58"),  # lower-cased: "l" is not base58
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not base58"),
    (base58.b58encode_check(b"\x00" + bytes(range(1, 21))).decode(), "prefix 0x00"),
    (base58.b58encode_check(b"\x41" + bytes(range(1, 20))).decode(), "20 bytes, expected 21"),
    (base58.b58encode_check(b"\x41" + bytes(20)).decode(), "zero address"),
    ("", "checksum|base58|bytes"),
])
def test_invalid_tron_addresses_say_why(written, reason):
    with pytest.raises(InvalidAddress, match=reason):
        TronAddressValidator().normalize(written)


def test_a_solana_wallet_address_is_32_bytes_on_the_curve():
    wallet = str(Keypair().pubkey())
    assert SolanaAddressValidator().normalize(f" {wallet} ") == wallet


@pytest.mark.parametrize("written, reason", [
    (str(Pubkey.find_program_address([b"vault"], Pubkey.from_string(
        "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"))[0]), "curve"),
    (base58.b58encode(bytes(31) + b"\x01").decode()[:-2], "bytes, expected 32"),
    ("11111111111111111111111111111111", "system program"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not base58"),
    ("", "0 bytes"),
])
def test_invalid_solana_addresses_say_why(written, reason):
    with pytest.raises(InvalidAddress, match=reason):
        SolanaAddressValidator().normalize(written)


@pytest.mark.parametrize("chain, network, kind", [
    ("bitcoin", "regtest", BtcAddressValidator), ("evm", "mainnet", EvmAddressValidator),
    ("ethereum", "mainnet", EvmAddressValidator), ("bsc", "testnet", EvmAddressValidator),
    ("tron", "mainnet", TronAddressValidator), ("solana", "devnet", SolanaAddressValidator),
])
def test_the_registry_gives_each_chain_its_validator(chain, network, kind):
    validator = validator_for(chain, network)
    assert isinstance(validator, kind) and isinstance(validator, AddressValidator)


def test_the_registry_keeps_bitcoin_networks_apart():
    with pytest.raises(InvalidAddress, match="expected regtest"):
        validator_for("bitcoin", "regtest").normalize("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")


@pytest.mark.parametrize("chain, network", [("dogecoin", "mainnet"), ("bitcoin", "moon")])
def test_unknown_chains_and_networks_are_refused(chain, network):
    with pytest.raises(ValueError, match="dogecoin|moon"):
        validator_for(chain, network)
