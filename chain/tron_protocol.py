"""Tron's transaction format, encoded by hand (no tronpy: it needs eth-abi < 6,
web3 8 needs eth-abi >= 6).

A transaction is the protobuf `Transaction { raw raw_data = 1; repeated bytes
signature = 2; }` of java-tron's `Tron.proto`; its id is SHA-256 of the
serialized `raw_data`, and the signature is secp256k1 over that id: r || s ||
v (v = recovery id + 27). Only what the cashier sends is encoded:
`TransferContract` (TRX) and `TriggerSmartContract` (a TRC-20 `transfer`).
Addresses on the wire are 21 bytes, 0x41 + the 20-byte account id; `T...` is
their base58check. The tests check the encoding against published
transactions (their raw_data_hex and txID) and the addresses against
published BIP44 vectors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import base58
from coincurve import PrivateKey, PublicKey
from eth_utils import keccak

TRANSFER_CONTRACT = 1
TRIGGER_SMART_CONTRACT = 31
TYPE_URL = "type.googleapis.com/protocol.{}"
CONTRACT_NAMES = {TRANSFER_CONTRACT: "TransferContract",
                  TRIGGER_SMART_CONTRACT: "TriggerSmartContract"}
TRC20_TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)").hex()


# Addresses.

def to_base58(raw21: bytes) -> str:
    return base58.b58encode_check(raw21).decode()


def to_raw(address: str) -> bytes:
    """21 bytes from `T...` or hex `41...`."""
    if address.startswith("41") and len(address) == 42:
        return bytes.fromhex(address)
    raw = base58.b58decode_check(address)
    if len(raw) != 21 or raw[0] != 0x41:
        raise ValueError(f"not a Tron address: {address}")
    return raw


def address_of_key(key: PublicKey) -> str:
    return to_base58(b"\x41" + keccak(key.format(compressed=False)[1:])[-20:])


# Protobuf, the subset needed: varints and length-delimited fields.

def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value) if value else b""


def field_bytes(number: int, value: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(value)) + value if value else b""


def decode(data: bytes) -> dict[int, list[int | bytes]]:
    """Fields by number (varints as int, length-delimited as bytes)."""
    fields: dict[int, list[int | bytes]] = {}
    i = 0

    def read_varint() -> int:
        nonlocal i
        shift = result = 0
        while True:
            byte = data[i]
            i += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result

    while i < len(data):
        key = read_varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value: int | bytes = read_varint()
        elif wire == 2:
            length = read_varint()
            value, i = data[i:i + length], i + length
        else:
            raise ValueError(f"protobuf wire type {wire} not supported")
        fields.setdefault(number, []).append(value)
    return fields


# Transactions.

@dataclass(frozen=True)
class RawTransaction:
    """`Transaction.raw`: the reference block (TaPoS), expiry, one contract."""

    ref_block_bytes: bytes
    ref_block_hash: bytes
    expiration: int  # ms
    timestamp: int  # ms
    contract_type: int
    contract: bytes  # the serialized TransferContract / TriggerSmartContract
    fee_limit: int = 0  # sun, for contract calls

    def encode(self) -> bytes:
        name = CONTRACT_NAMES[self.contract_type]
        parameter = (field_bytes(1, TYPE_URL.format(name).encode())
                     + field_bytes(2, self.contract))
        contract = field_varint(1, self.contract_type) + field_bytes(2, parameter)
        return (field_bytes(1, self.ref_block_bytes) + field_bytes(4, self.ref_block_hash)
                + field_varint(8, self.expiration) + field_bytes(11, contract)
                + field_varint(14, self.timestamp) + field_varint(18, self.fee_limit))

    @classmethod
    def parse(cls, data: bytes) -> RawTransaction:
        raw = decode(data)
        [contract] = raw[11]
        fields = decode(contract)  # type: ignore[arg-type]
        parameter = decode(fields[2][0])  # type: ignore[arg-type]
        return cls(raw.get(1, [b""])[0], raw.get(4, [b""])[0],  # type: ignore[arg-type]
                   raw.get(8, [0])[0], raw.get(14, [0])[0],  # type: ignore[arg-type]
                   fields.get(1, [0])[0], parameter[2][0],  # type: ignore[arg-type]
                   raw.get(18, [0])[0])  # type: ignore[arg-type]

    def txid(self) -> str:
        return hashlib.sha256(self.encode()).hexdigest()


def transfer_contract(owner: str, to: str, sun: int) -> bytes:
    return field_bytes(1, to_raw(owner)) + field_bytes(2, to_raw(to)) + field_varint(3, sun)


def trigger_contract(owner: str, contract: str, data: bytes) -> bytes:
    return field_bytes(1, to_raw(owner)) + field_bytes(2, to_raw(contract)) \
        + field_bytes(4, data)


def trc20_transfer_data(to: str, units: int) -> bytes:
    return TRC20_TRANSFER + to_raw(to)[1:].rjust(32, b"\0") + units.to_bytes(32, "big")


def sign(raw: RawTransaction, private_key: bytes) -> bytes:
    """65 bytes r || s || v over the transaction id (v = recovery id + 27)."""
    signature = PrivateKey(private_key).sign_recoverable(bytes.fromhex(raw.txid()),
                                                         hasher=None)
    return signature[:64] + bytes([signature[64] + 27])


def signer_of(raw: RawTransaction, signature: bytes) -> str:
    """The `T...` address that signed (what a node checks against the owner)."""
    recovery = signature[64] - 27 if signature[64] >= 27 else signature[64]
    key = PublicKey.from_signature_and_message(signature[:64] + bytes([recovery]),
                                               bytes.fromhex(raw.txid()), hasher=None)
    return address_of_key(key)


def signed_hex(raw: RawTransaction, signature: bytes) -> str:
    """The whole `Transaction` (what /wallet/broadcasthex takes)."""
    return (field_bytes(1, raw.encode()) + field_bytes(2, signature)).hex()


def parse_signed(hex_text: str) -> tuple[RawTransaction, list[bytes]]:
    fields = decode(bytes.fromhex(hex_text))
    return RawTransaction.parse(fields[1][0]), list(fields.get(2, []))  # type: ignore
