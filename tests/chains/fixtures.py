"""pytest fixtures for local chains; tests/conftest.py registers this module
as a plugin so any test can ask for `local_evm` or `bitcoin_regtest`
(`bitcoin_regtest.chain` mines, pays and reorgs; `.url`, `.user` and
`.password` configure a bitcoind client). The chain libraries are imported
inside the fixtures: web3, py-evm and the kernel cost seconds to import, and
most tests never touch a chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.chains.btc_rpc_server import RegtestRpcServer
    from tests.chains.evm import LocalEvm


@pytest.fixture(params=["eth-tester", "anvil"])
def local_evm(request: pytest.FixtureRequest) -> Iterator[LocalEvm]:
    """A fresh EVM chain with a faucet and a USDT token: eth-tester always,
    and an anvil node too when one is installed (skipped otherwise)."""
    from tests.chains.anvil import AnvilEvm, find_anvil
    from tests.chains.evm import EthTesterEvm

    if request.param == "eth-tester":
        evm = EthTesterEvm()
    else:
        binary = find_anvil()
        if binary is None:
            pytest.skip("anvil not installed (npm install @foundry-rs/anvil)")
        evm = AnvilEvm(binary)
    yield evm
    evm.close()


@pytest.fixture
def bitcoin_regtest() -> Iterator[RegtestRpcServer]:
    """A Bitcoin regtest chain validated by py-bitcoinkernel, served over the
    bitcoind JSON-RPC subset; 120 blocks mined, so the miner has 20 mature
    coinbases to pay from (one per payment)."""
    from tests.chains.btc_regtest import RegtestChain
    from tests.chains.btc_rpc_server import RegtestRpcServer

    chain = RegtestChain()
    chain.mine(120)
    server = RegtestRpcServer(chain)
    yield server
    server.close()
    chain.close()
