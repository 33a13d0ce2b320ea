"""Gas pricing for hot-wallet transactions: EIP-1559 or legacy.

EIP-1559: `maxFeePerGas` = 2 x the latest base fee + the node's suggested
priority fee, which stays valid through six full blocks of base-fee rises.
Legacy chains: the node's gas price. The fee quoted is gas limit x the
highest price per gas, the most the transaction can cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from chain.evm_errors import node_errors
from chain.evm_tokens import EvmChain

NATIVE_TRANSFER_GAS = 21_000


@dataclass(frozen=True)
class GasQuote:
    gas: int
    fields: dict  # the transaction's price fields (type 2 or legacy)

    @property
    def max_cost(self) -> int:
        """Wei: the most this transaction can pay for gas."""
        price = self.fields.get("maxFeePerGas", self.fields.get("gasPrice"))
        return self.gas * price


def quote(w3: Web3, chain: EvmChain, is_token: bool) -> GasQuote:
    gas = chain.token_gas_limit if is_token else NATIVE_TRANSFER_GAS
    with node_errors():
        if not chain.eip1559:
            return GasQuote(gas, {"gasPrice": w3.eth.gas_price})
        base = w3.eth.get_block("latest")["baseFeePerGas"]
        tip = w3.eth.max_priority_fee
    return GasQuote(gas, {"type": 2, "maxFeePerGas": 2 * base + tip,
                          "maxPriorityFeePerGas": tip})
