"""pytest fixtures for local chains; tests/conftest.py registers this module
as a plugin so any test can ask for `local_evm` or `bitcoin_regtest`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chains.anvil import AnvilEvm, find_anvil
from tests.chains.evm import EthTesterEvm, LocalEvm


@pytest.fixture(params=["eth-tester", "anvil"])
def local_evm(request: pytest.FixtureRequest) -> Iterator[LocalEvm]:
    """A fresh EVM chain with a faucet and a USDT token: eth-tester always,
    and an anvil node too when one is installed (skipped otherwise)."""
    if request.param == "eth-tester":
        evm = EthTesterEvm()
    else:
        binary = find_anvil()
        if binary is None:
            pytest.skip("anvil not installed (npm install @foundry-rs/anvil)")
        evm = AnvilEvm(binary)
    yield evm
    evm.close()
