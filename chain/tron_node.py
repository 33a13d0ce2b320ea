"""A Tron full node's HTTP API (java-tron `/wallet/*`), the endpoints the
cashier uses, and the chain as configured.

Every call is a JSON POST; amounts on the wire are integers (sun: 1 TRX =
10**6 sun; token units). Errors: unreachable or 5xx -> `ChainUnavailable`.
`connect_tron` checks the node's genesis block against the configured one
(main net's by default), so a test-net node is refused on main net.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from chain.errors import ChainMismatch, ChainUnavailable
from chain.units import token_for, to_coins, to_units  # noqa: F401 - re-exported

MAINNET_GENESIS = "00000000000000001ebf88508a03865c71d452e25f4d51194196a1d22b6653dc"
SUN = 6  # TRX decimals


@dataclass(frozen=True)
class Trc20Token:
    currency: str
    contract: str  # T...
    decimals: int


@dataclass(frozen=True)
class TronChain:
    name: str = "tron"
    native_currency: str = "TRX"
    tokens: tuple[Trc20Token, ...] = ()
    genesis: str | None = MAINNET_GENESIS
    fee_limit_sun: int = 30_000_000  # the most a TRC-20 transfer may burn for energy
    expiration_ms: int = 10 * 3600 * 1000  # a signed transaction stays valid 10 hours

    def token(self, currency: str) -> Trc20Token | None:
        return token_for(self, self.tokens, currency)

    def decimals(self, currency: str) -> int:
        token = self.token(currency)
        return SUN if token is None else token.decimals


class TronHttp:
    def __init__(self, url: str, timeout: float = 10):  # float-ok: seconds
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/wallet/{path}", data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ChainUnavailable(f"tron node {self.url}: {error}") from None

    def now_block(self) -> dict[str, Any]:
        return self.call("getnowblock")

    def block(self, number: int) -> dict[str, Any]:
        return self.call("getblockbynum", {"num": number})

    def infos(self, number: int) -> list[dict[str, Any]]:
        found = self.call("gettransactioninfobyblocknum", {"num": number})
        return found if isinstance(found, list) else found.get("transactionInfo", [])


def connect_tron(url: str, chain: TronChain) -> TronHttp:
    node = TronHttp(url)
    if chain.genesis is not None:
        genesis = node.block(0).get("blockID")
        if genesis != chain.genesis:
            raise ChainMismatch(f"{chain.name}: the node's genesis block is {genesis}, "
                                f"expected {chain.genesis}")
    return node
