"""A minimal bitcoind JSON-RPC client: amounts parsed as Decimal, errors
mapped to `chain.errors`.

bitcoind answers an RPC error with an HTTP error status and a JSON body;
both are read, and the error becomes an `RpcError` carrying bitcoind's code,
a `ChainUnavailable` unless the caller knows better (the block source turns
-8 and -5 into BlockNotFound, the sender reads -25, -26 and -27).
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import requests

from chain.btc_networks import BitcoinNetwork, bitcoin_network
from chain.errors import ChainMismatch, ChainUnavailable


class RpcError(ChainUnavailable):
    """bitcoind answered with an error (its `code` is kept)."""

    def __init__(self, method: str, code: int, message: str):
        super().__init__(f"bitcoind {method}: {message} (code {code})")
        self.code = code


class BitcoindRpc:
    def __init__(self, url: str, username: str = "", password: str = "",
                 timeout: float = 10):  # float-ok: seconds
        self.url = url
        self._auth = (username, password) if username else None
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._session = requests.Session()

    def call(self, method: str, *params: Any) -> Any:
        payload = {"jsonrpc": "1.0", "id": next(self._ids), "method": method,
                   "params": list(params)}
        try:
            response = self._session.post(self.url, json=payload, auth=self._auth,
                                          timeout=self._timeout)
            body = json.loads(response.text, parse_float=Decimal)
        except requests.RequestException as error:
            raise ChainUnavailable(f"bitcoind unreachable at {self.url}: {error}") from error
        except ValueError:
            raise ChainUnavailable(
                f"bitcoind {method}: HTTP {response.status_code}, not JSON") from None
        return result_of(method, body)


def result_of(method: str, body: dict) -> Any:
    error = body.get("error")
    if not error:
        return body["result"]
    raise RpcError(method, error.get("code", 0), error.get("message", ""))


def connect_bitcoind(url: str, network: BitcoinNetwork | str, username: str = "",
                     password: str = "") -> BitcoindRpc:
    """A client for the node at `url`, after checking it is on `network`
    (getblockchaininfo), so a regtest node is never taken for main net."""
    network = network if isinstance(network, BitcoinNetwork) else bitcoin_network(network)
    rpc = BitcoindRpc(url, username, password)
    reported = rpc.call("getblockchaininfo")["chain"]
    if reported not in network.node_chains:
        raise ChainMismatch(f"bitcoind at {url} is on {reported!r}, configured {network}")
    return rpc
