"""Building and signing a hot-wallet payment with bitcoinlib.

Coin selection is largest first; the fee is the fee rate times the virtual
size of a P2WPKH spend (68 vB per input, at most 43 vB per output, 11 vB of
overhead: an upper bound, so the rate is never undershot). Change below the
dust limit goes to the fee. bitcoinlib's `txid` attribute is stale after
signing, so the txid is hashed here from the non-witness serialisation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from chain.bitcoinlib_home import Key, Transaction
from chain.errors import InsufficientHotFunds

SATOSHIS = 100_000_000
DUST = 546
INPUT_VBYTES, OUTPUT_VBYTES, OVERHEAD_VBYTES = 68, 43, 11


@dataclass(frozen=True)
class Coin:
    txid: str
    vout: int
    satoshis: int


@dataclass(frozen=True)
class Payment:
    raw: str
    txid: str
    fee: int  # satoshis, exactly inputs - outputs
    spent: tuple[Coin, ...]


def to_satoshis(amount: Decimal) -> int:
    units = amount * SATOSHIS
    if units != units.to_integral_value():
        raise ValueError(f"{amount} BTC has more than 8 decimals")
    return int(units)


def vsize(inputs: int, outputs: int) -> int:
    return OVERHEAD_VBYTES + INPUT_VBYTES * inputs + OUTPUT_VBYTES * outputs


def select(coins: list[Coin], amount: int, sat_per_vb: Decimal) -> tuple[list[Coin], int]:
    """The largest coins that pay `amount` plus the fee of spending them."""
    chosen: list[Coin] = []
    for coin in sorted(coins, key=lambda c: c.satoshis, reverse=True):
        chosen.append(coin)
        fee = int(sat_per_vb * vsize(len(chosen), 2)) + 1
        if sum(c.satoshis for c in chosen) >= amount + fee:
            return chosen, fee
    held = sum(c.satoshis for c in coins)
    raise InsufficientHotFunds(
        f"bitcoin hot wallet holds {Decimal(held) / SATOSHIS} BTC in spendable coins, "
        f"needs {Decimal(amount) / SATOSHIS} BTC plus the fee")


def build(key: Key, network: str, coins: list[Coin], destination: str, amount: int,
          fee: int, change_address: str) -> Payment:
    tx = Transaction(network=network, witness_type="segwit", version=2)
    for coin in coins:
        tx.add_input(coin.txid, coin.vout, keys=key, value=coin.satoshis, witness_type="segwit")
    tx.add_output(amount, address=destination)
    change = sum(c.satoshis for c in coins) - amount - fee
    if change >= DUST:
        tx.add_output(change, address=change_address)
    tx.sign(key)
    txid = hashlib.sha256(hashlib.sha256(tx.raw(witness_type="legacy")).digest()).digest()
    paid_fee = fee + (change if change < DUST else 0)
    return Payment(tx.raw().hex(), txid[::-1].hex(), paid_fee, tuple(coins))
