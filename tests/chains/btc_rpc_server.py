"""The regtest chain served over the bitcoind JSON-RPC subset on 127.0.0.1.

Methods: getblockchaininfo, getblockcount, getbestblockhash, getblockhash,
getblock (verbosity 0-3), getblockheader, and for a hot wallet
scantxoutset, gettxout, estimatesmartfee (no estimate, as on a fresh
regtest), sendrawtransaction and getrawtransaction (as with -txindex). Errors use bitcoind's codes
(-8 height out of range, -5 not found, -32601 unknown method) and its HTTP
statuses; basic authentication is required as with rpcuser/rpcpassword.
Amounts go out as JSON numbers with 8 decimals, as bitcoind writes them.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.chains.btc_regtest import RegtestChain
from tests.chains.btc_rpc_wallet import WALLET_METHODS, RpcFailure

USER, PASSWORD = "casino", "regtest-password"
DECIMAL_MARK = re.compile(r'"@dec:([-0-9.E+]+)"')


class RegtestRpcServer:
    """Serves `chain` on a free port until `close()`; `url`, `user` and
    `password` are what a bitcoind client is configured with."""

    user, password = USER, PASSWORD

    def __init__(self, chain: RegtestChain):
        self.chain = chain
        handler = type("Handler", (RpcHandler,), {"chain": chain})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RpcHandler(BaseHTTPRequestHandler):
    chain: RegtestChain
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave as two writes

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != basic_auth(USER, PASSWORD):
            return self._reply(401, b"")
        request = json.loads(body)
        try:
            result = call(self.chain, request["method"], request.get("params", []))
            answer, status = {"result": result, "error": None}, 200
        except RpcFailure as failure:
            answer = {"result": None, "error": {"code": failure.code, "message": str(failure)}}
            status = failure.status
        answer["id"] = request.get("id")
        self._reply(status, encode(answer))

    def _reply(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        """Quiet: tests read results, not access logs."""


def call(chain: RegtestChain, method: str, params: list):
    with chain.lock:
        if method == "getblockchaininfo":
            return {"chain": "regtest", "blocks": chain.tip(),
                    "bestblockhash": chain.block_hash(chain.tip())}
        if method == "getblockcount":
            return chain.tip()
        if method == "getbestblockhash":
            return chain.block_hash(chain.tip())
        if method == "getblockhash":
            return block_hash(chain, *params)
        if method == "getblock":
            return block(chain, *params)
        if method == "getblockheader":
            return block(chain, params[0], 1)
        if method in WALLET_METHODS:
            return WALLET_METHODS[method](chain, *params)
    raise RpcFailure(-32601, "Method not found", status=404)


def block_hash(chain: RegtestChain, height: int) -> str:
    if not 0 <= height <= chain.tip():
        raise RpcFailure(-8, "Block height out of range")
    return chain.block_hash(height)


def block(chain: RegtestChain, hash_: str, verbosity: int = 1):
    try:
        return chain.block(hash_, verbosity)
    except (KeyError, ValueError):
        raise RpcFailure(-5, "Block not found") from None


def encode(answer: dict) -> bytes:
    """JSON with Decimals written as plain numbers (json cannot by itself)."""
    return DECIMAL_MARK.sub(r"\1", json.dumps(answer, default=mark_decimal)).encode()


def mark_decimal(value):
    if isinstance(value, Decimal):
        return f"@dec:{value}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
