"""Tron transactions encoded by hand, checked against published vectors: a
main-net TransferContract's raw_data_hex and txID, a TriggerSmartContract
(TRC-20 transfer) re-encoded byte for byte, the BIP44 (coin 195) address of
the "abandon ... about" mnemonic; signatures recover the owner; the test
double refuses what a node refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from coincurve import PrivateKey

from chain.errors import ChainMismatch, TransactionRejected
from chain.tron_derivation import TronAddressDeriver, tron_deposit_signer
from chain.tron_node import TronChain, TronHttp, connect_tron
from chain.interfaces import SignedTransfer
from chain.tron_protocol import (
    TRANSFER_CONTRACT,
    RawTransaction,
    address_of_key,
    decode,
    parse_signed,
    sign,
    signed_hex,
    signer_of,
    to_base58,
    transfer_contract,
)
from chain.tron_sender import TronSender
from tests.cashier_chains import TRON_XPRV, TRON_XPUB

# A main-net TRX transfer as a node returned it (raw_data_hex and txID).
TRANSFER_HEX = (
    "0a02b32e2208ce1cb373c238875e4098fbd9a0eb325a68080112640a2d747970652e676f6f676c6561"
    "7069732e636f6d2f70726f746f636f6c2e5472616e73666572436f6e747261637412330a1541417ca6"
    "f74356a5d4454498e3f4856c945a04ab01121541055756f33f419278d9ea059bd2b21120e6add74818"
    "e0e5a40170b8a6d6a0eb32")
TRANSFER_TXID = "795f8195893e8da2ef2f70fc3a1f2720f9077244c4b7b1c50c99c72fda675a32"
# A TRC-20 transfer (TriggerSmartContract with a fee limit of 100 TRX).
TRIGGER_HEX = (
    "0a028ad92208eaef69105495eb1540f09fc0cfcd335aae01081f12a9010a31747970652e676f6f676c"
    "65617069732e636f6d2f70726f746f636f6c2e54726967676572536d617274436f6e74726163741274"
    "0a1541495511a493d8c362be4267224e6d81013a6862ee121541eca9bc828a3005b9a3b909f2cc5c2a"
    "54794de05f2244a9059cbb00000000000000000000004150125bea243a640bf85348873b6c4f3c517a"
    "ee7a00000000000000000000000000000000000000000000000000000000000000017090cbbccfcd33"
    "900180c2d72f")


def test_a_published_trx_transfer_encodes_to_its_bytes_and_id():
    raw = RawTransaction.parse(bytes.fromhex(TRANSFER_HEX))
    assert raw.txid() == TRANSFER_TXID
    fields = decode(raw.contract)
    rebuilt = RawTransaction(raw.ref_block_bytes, raw.ref_block_hash, raw.expiration,
                             raw.timestamp, TRANSFER_CONTRACT, transfer_contract(
                                 to_base58(fields[1][0]), to_base58(fields[2][0]),
                                 fields[3][0]))
    assert rebuilt.encode().hex() == TRANSFER_HEX and fields[3][0] == 2_700_000


def test_a_trc20_transfer_round_trips_with_its_fee_limit():
    raw = RawTransaction.parse(bytes.fromhex(TRIGGER_HEX))
    assert raw.encode().hex() == TRIGGER_HEX and raw.fee_limit == 100_000_000
    assert raw.contract_type == 31


def test_bip44_addresses_match_the_published_vector_and_the_sweep_key():
    deriver = TronAddressDeriver(TRON_XPUB)
    assert deriver.address(0) == "TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH"
    signer = tron_deposit_signer(TronHttp("http://127.0.0.1:1"), TronChain(), TRON_XPRV,
                                 TRON_XPUB)
    assert [signer(i).hot_address() for i in range(3)] == [deriver.address(i)
                                                          for i in range(3)]


def test_a_signature_recovers_its_owner_and_a_forgery_does_not():
    key = PrivateKey()
    owner = address_of_key(key.public_key)
    raw = RawTransaction(b"\x00\x01", bytes(8), 1, 0, TRANSFER_CONTRACT,
                         transfer_contract(owner, "TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH", 5))
    assert signer_of(raw, sign(raw, key.secret)) == owner
    assert signer_of(raw, sign(raw, PrivateKey().secret)) != owner


def test_the_double_refuses_forged_signatures_duplicates_and_another_genesis(tron_node):
    node = TronHttp(tron_node.url)
    sender = TronSender(node, tron_node.config, "22" * 32)
    tron_node.pay(sender.hot_address(), "10")
    signed = sender.sign("TRX", tron_node.faucet.hot_address(), Decimal(1))
    raw, _ = parse_signed(signed.raw)
    forged = signed_hex(raw, sign(raw, PrivateKey().secret))
    assert node.call("broadcasthex", {"transaction": forged})["code"] == "SIGERROR"
    assert sender.broadcast(signed) == signed.tx_hash
    assert sender.broadcast(signed) == signed.tx_hash  # a duplicate is not an error
    with pytest.raises(TransactionRejected, match="CONTRACT_VALIDATE_ERROR"):
        sender.broadcast(unfunded(sender))
    with pytest.raises(ChainMismatch):
        connect_tron(tron_node.url, TronChain())  # main net's genesis expected


def unfunded(sender: TronSender) -> SignedTransfer:
    """A validly signed transfer of more TRX than the account holds."""
    block = sender.node.now_block()
    number = block["block_header"]["raw_data"]["number"]
    at = block["block_header"]["raw_data"]["timestamp"]
    raw = RawTransaction(number.to_bytes(8, "big")[6:8],
                         bytes.fromhex(block["blockID"])[8:16], at + 60_000, at + 1,
                         TRANSFER_CONTRACT, transfer_contract(
                             sender.hot_address(), "TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH",
                             10**12))
    return SignedTransfer(raw.txid(), signed_hex(raw, sign(raw, bytes.fromhex("22" * 32))),
                          None, Decimal(0), "TRX")
