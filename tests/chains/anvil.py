"""An anvil node (Foundry) as a local EVM chain for tests, when installed.

Found at $CASINO_LEDGER_ANVIL, on PATH, or at ~/.foundry/bin/anvil (where
`foundryup` installs it; the npm package @foundry-rs/anvil ships the same
binary). It runs offline on 127.0.0.1 with its default funded accounts.
"""

from __future__ import annotations

import socket
import subprocess
import time

from web3 import HTTPProvider, Web3

from tests.chains.evm import FAUCET_KEY, LocalEvm


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MinedOnSend(HTTPProvider):
    """anvil mines a sent transaction just after answering the send; with
    automine on, wait until it is mined, as eth-tester's automine does, so
    tests can read its receipt at once."""

    automining = True

    def make_request(self, method, params):  # type: ignore[no-untyped-def]
        response = super().make_request(method, params)
        if method == "eth_sendRawTransaction" and self.automining and "result" in response:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and super().make_request(
                    "eth_getTransactionReceipt", [response["result"]]).get("result") is None:
                time.sleep(0.01)
        return response


class AnvilEvm(LocalEvm):
    def __init__(self, binary: str):
        port = free_port()
        self.process = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", str(port), "--silent"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        self.provider = MinedOnSend(self.url, request_kwargs={"timeout": 10})
        w3 = Web3(self.provider)
        self._wait(w3)
        super().__init__(w3, FAUCET_KEY)

    def _wait(self, w3: Web3) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if w3.is_connected():
                return
            time.sleep(0.1)
        self.close()
        raise RuntimeError("anvil did not start within 20 s")

    def _automine(self, on: bool) -> None:
        self.automining = self.provider.automining = on
        self.w3.provider.make_request("evm_setAutomine", [on])

    def mine(self, blocks: int = 1) -> None:
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])

    def snapshot(self):
        return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def revert(self, snapshot) -> None:
        assert self.w3.provider.make_request("evm_revert", [snapshot])["result"]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
