"""Serialising regtest blocks by hand: coinbase (BIP34 height, BIP141 witness
commitment), merkle roots, header and proof of work. Spending transactions
come signed from bitcoinlib; Bitcoin Core's own validation (py-bitcoinkernel)
then checks every block, so a mistake here is refused, not believed.
"""

from __future__ import annotations

import hashlib
import struct

REGTEST_BITS = 0x207FFFFF
REGTEST_TARGET = 0x7FFFFF << (8 * (0x20 - 3))
WITNESS_RESERVED = bytes(32)
WITNESS_MAGIC = bytes.fromhex("6a24aa21a9ed")
HALVING_INTERVAL = 150  # regtest
COIN = 100_000_000


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    return b"\xfd" + struct.pack("<H", n) if n <= 0xFFFF else b"\xfe" + struct.pack("<I", n)


def push(data: bytes) -> bytes:
    assert len(data) < 0x4C
    return bytes([len(data)]) + data


def script_number(n: int) -> bytes:
    """BIP34 height as Bitcoin Core writes `CScript() << height`."""
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    body = n.to_bytes((n.bit_length() + 8) // 8, "little")  # room for the sign bit
    return push(body)


def subsidy(height: int) -> int:
    return (50 * COIN) >> (height // HALVING_INTERVAL)


def coinbase(height: int, outputs: list[tuple[int, bytes]], tag: bytes) -> tuple[bytes, bytes]:
    """A coinbase, segwit-serialised, and its txid: `outputs` are (satoshis,
    script) pairs; `tag` makes sibling blocks at the same height differ."""
    script_sig = script_number(height) + push(tag)
    body = (varint(1) + bytes(32) + b"\xff" * 4 + varint(len(script_sig)) + script_sig
            + b"\xff" * 4 + varint(len(outputs))
            + b"".join(struct.pack("<q", value) + varint(len(s)) + s for value, s in outputs))
    version, locktime = struct.pack("<i", 2), bytes(4)
    witness = varint(1) + varint(32) + WITNESS_RESERVED
    return version + b"\x00\x01" + body + witness + locktime, sha256d(version + body + locktime)


def merkle_root(hashes: list[bytes]) -> bytes:
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def witness_commitment(wtxids: list[bytes]) -> bytes:
    """The coinbase output script committing to the block's witnesses."""
    root = merkle_root([bytes(32)] + wtxids)  # the coinbase's wtxid counts as zero
    return WITNESS_MAGIC + sha256d(root + WITNESS_RESERVED)


def header(prev_hash: bytes, merkle: bytes, timestamp: int) -> bytes:
    """A header with the regtest proof of work (about two tries)."""
    for nonce in range(2**32):
        raw = (struct.pack("<i", 0x20000000) + prev_hash + merkle
               + struct.pack("<III", timestamp, REGTEST_BITS, nonce))
        if int.from_bytes(sha256d(raw), "little") <= REGTEST_TARGET:
            return raw
    raise RuntimeError("no nonce found")


def block(header_bytes: bytes, transactions: list[bytes]) -> bytes:
    return header_bytes + varint(len(transactions)) + b"".join(transactions)
