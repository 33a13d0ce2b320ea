"""pytest fixtures for local chains; tests/conftest.py registers this module
as a plugin so any test can ask for `local_evm` or `bitcoin_regtest`
(`bitcoin_regtest.chain` mines, pays and reorgs; `.url`, `.user` and
`.password` configure a bitcoind client). The chain libraries are imported
inside the fixtures: web3, py-evm and the kernel cost seconds to import, and
most tests never touch a chain."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.chains.btc_rpc_server import RegtestRpcServer
    from tests.chains.evm import LocalEvm


def find_anvil() -> str | None:
    """$CASINO_LEDGER_ANVIL, anvil on PATH, or where `foundryup` installs it."""
    candidates = [os.environ.get("CASINO_LEDGER_ANVIL"), shutil.which("anvil"),
                  str(Path.home() / ".foundry" / "bin" / "anvil")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


ANVIL = find_anvil()
# eth-tester always; an anvil node as well where one is installed (the npm
# package @foundry-rs/anvil ships it; .ci/run installs it). In CI the anvil
# variants always run, and fail without anvil; elsewhere they are not
# collected without it, rather than skipped.
REQUIRE_ANVIL = os.environ.get("CI") == "true"
EVM_CHAINS = ["eth-tester", *(["anvil"] if ANVIL or REQUIRE_ANVIL else [])]


@pytest.fixture(params=EVM_CHAINS)
def local_evm(request: pytest.FixtureRequest) -> Iterator[LocalEvm]:
    """A fresh EVM chain with a faucet and a USDT token."""
    from tests.chains.anvil import AnvilEvm
    from tests.chains.evm import EthTesterEvm

    if request.param == "anvil" and ANVIL is None:
        raise RuntimeError("anvil is required in CI: .ci/run installs @foundry-rs/anvil")
    evm = EthTesterEvm() if request.param == "eth-tester" else AnvilEvm(ANVIL)
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


@pytest.fixture
def tron_node():
    """A local TEST DOUBLE of a Tron full node's HTTP API (tests/chains/tron_node.py:
    not a Tron node), 10 blocks in, with a funded faucet and a USDT contract."""
    from tests.chains.tron_node import TronNodeDouble

    node = TronNodeDouble()
    node.mine(10)
    yield node
    node.close()


@pytest.fixture
def solana_cluster():
    """The SVM (LiteSVM through solders) behind a local JSON-RPC, with a funded
    faucet and a USDC mint (tests/chains/solana_rpc.py)."""
    from tests.chains.solana_rpc import SolanaRpcServer

    server = SolanaRpcServer()
    server.mine(5)
    yield server
    server.close()
