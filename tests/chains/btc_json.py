"""bitcoind's JSON for a block (getblock verbosity 0 to 3), from a
py-bitcoinkernel block: the fields the production adapter reads, named and
typed as bitcoind writes them (values in BTC as Decimal). Verbosity 3 adds
each input's `prevout` (the output it spends), given as `spent`."""

from __future__ import annotations

from decimal import Decimal

import pbk

from chain.bitcoinlib_home import pubkeyhash_to_addr_base58, pubkeyhash_to_addr_bech32

HRP = "bcrt"
BECH32M = 0x2BC830A3


def block_json(block: pbk.Block, height: int, confirmations: int, verbosity: int,
               spent: dict[tuple[str, int], pbk.TransactionOutput] | None = None):
    if verbosity == 0:
        return bytes(block).hex()
    header = block.block_header
    answer = {
        "hash": str(block.block_hash), "confirmations": confirmations, "height": height,
        "version": header.version, "time": int(header.timestamp.timestamp()),
        "bits": f"{header.bits:08x}", "nonce": header.nonce, "nTx": len(block.transactions),
        "tx": [transaction_json(tx, spent if verbosity >= 3 else None)
               if verbosity >= 2 else str(tx.txid) for tx in block.transactions],
    }
    if height > 0:
        answer["previousblockhash"] = str(header.prev_hash)
    return answer


def transaction_json(tx: pbk.Transaction,
                     spent: dict[tuple[str, int], pbk.TransactionOutput] | None = None) -> dict:
    return {
        "txid": str(tx.txid),
        "vin": [input_json(i, spent) for i in tx.inputs],
        "vout": [output_json(n, output) for n, output in enumerate(tx.outputs)],
    }


def input_json(tx_input: pbk.TransactionInput,
               spent: dict[tuple[str, int], pbk.TransactionOutput] | None) -> dict:
    point = (str(tx_input.out_point.txid), tx_input.out_point.index)
    answer: dict = {"txid": point[0], "vout": point[1]}
    if spent is not None and point in spent:
        answer["prevout"] = {key: value for key, value in
                             output_json(point[1], spent[point]).items() if key != "n"}
    return answer


def output_json(n: int, output: pbk.TransactionOutput) -> dict:
    script = bytes(output.script_pubkey)
    kind, address = describe(script)
    script_json = {"hex": script.hex(), "type": kind}
    if address:
        script_json["address"] = address
    return {"value": Decimal(output.amount).scaleb(-8).quantize(Decimal("1e-8")), "n": n,
            "scriptPubKey": script_json}


def describe(script: bytes) -> tuple[str, str | None]:
    """bitcoind's script type and address for the standard output scripts."""
    if len(script) == 22 and script[:2] == b"\x00\x14":
        return "witness_v0_keyhash", pubkeyhash_to_addr_bech32(script[2:], HRP, 0)
    if len(script) == 34 and script[:2] == b"\x00\x20":
        return "witness_v0_scripthash", pubkeyhash_to_addr_bech32(script[2:], HRP, 0)
    if len(script) == 34 and script[:2] == b"\x51\x20":
        return "witness_v1_taproot", pubkeyhash_to_addr_bech32(script[2:], HRP, 1, checksum_xor=BECH32M)
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[-2:] == b"\x88\xac":
        return "pubkeyhash", pubkeyhash_to_addr_base58(script[3:23], b"\x6f")
    if len(script) == 23 and script[:2] == b"\xa9\x14" and script[-1:] == b"\x87":
        return "scripthash", pubkeyhash_to_addr_base58(script[2:22], b"\xc4")
    return ("nulldata" if script[:1] == b"\x6a" else "nonstandard"), None
