"""The sweeper's signers of EVM deposit addresses.

The deposit addresses come from the account xpub (`m/44'/60'/0'`, child
`0/i`) on the API server; the matching account xprv is held by the sweeper
alone (CASINO_LEDGER_SWEEP_KEYS, apart from the hot keys). At start the xprv
must give the configured xpub, so a wrong key is refused before anything is
signed. Each deposit address signs through an `EvmSender` of its own key: its
nonce is the chain's count for that address (only the sweeper sends from it).
"""

from __future__ import annotations

from collections.abc import Callable

from web3 import Web3

from chain.bip32 import deposit_keys
from chain.evm_sender import EvmSender
from chain.evm_tokens import EvmChain


def evm_deposit_signer(w3: Web3, chain: EvmChain, account_xprv: str,
                       account_xpub: str | None) -> Callable[[int], EvmSender]:
    key_of = deposit_keys(account_xprv, account_xpub, chain.name)
    cache: dict[int, EvmSender] = {}

    def signer(index: int) -> EvmSender:
        if index not in cache:
            cache[index] = EvmSender(w3, chain, "0x" + key_of(index).hex())
        return cache[index]

    return signer
