"""A Solana cluster for tests: the SVM itself (LiteSVM, through solders)
executing every transaction - the real system, SPL Token and associated token
programs, signatures, blockhashes, rent and fees - served over the JSON-RPC
methods the adapters use (getGenesisHash, getSlot, getBlock, getBalance,
getAccountInfo, getTokenAccountBalance, getMinimumBalanceForRentExemption,
getLatestBlockhash, sendTransaction, getSignatureStatuses, getTransaction)
on 127.0.0.1. LiteSVM is a single in-process bank, not a cluster: there are
no forks (a sent transaction executes at once and lands in the next block
sealed by `mine`), so the slot history, block hashes and the RPC's JSON
shapes are this module's. A transaction whose blockhash has expired is
refused, which is how a Solana transaction is dropped.
"""

from __future__ import annotations

import base64
import threading
from decimal import Decimal
from typing import Any

from solders.account import Account
from solders.keypair import Keypair
from solders.system_program import ID as SYSTEM_PROGRAM
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.token import ID as TOKEN_PROGRAM
from solders.token.associated import get_associated_token_address
from solders.token.state import TokenAccount
from solders.transaction import Transaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.instruction import AccountMeta, Instruction

from chain.solana_node import SolanaChain, SolanaRpc, SplToken
from chain.solana_sender import SolanaSender, create_ata
from tests.chains.json_http import JsonServer

USDC_DECIMALS = 6
MINT_SIZE = 82


class SolanaCluster:
    def __init__(self):
        self.lock = threading.RLock()
        self.svm = LiteSVM()
        self.faucet = Keypair.from_seed(bytes([7]) * 32)
        self.svm.set_account(self.faucet.pubkey(), Account(
            lamports=10**8 * 10**9, data=b"", owner=SYSTEM_PROGRAM, executable=False))
        self.genesis = str(self.svm.latest_blockhash())
        self.blocks: list[dict[str, Any]] = []
        self.current: list[dict[str, Any]] = []
        self.landed: dict[str, int] = {}  # signature -> slot
        self._seal()
        self.mint = Keypair.from_seed(bytes([8]) * 32)
        self._create_mint()

    # Blocks.

    def _seal(self) -> None:
        slot = len(self.blocks)
        blockhash = str(self.svm.latest_blockhash())
        parent = self.blocks[-1]["blockhash"] if self.blocks else self.genesis
        self.blocks.append({"blockhash": blockhash, "previousBlockhash": parent,
                            "parentSlot": max(slot - 1, 0), "blockHeight": slot,
                            "blockTime": 1_700_000_000 + slot, "transactions": self.current})
        for entry in self.current:
            self.landed[entry["transaction"]["signatures"][0]] = slot
        self.current = []
        self.svm.expire_blockhash()

    def mine(self, blocks: int = 1) -> None:
        with self.lock:
            for _ in range(blocks):
                self._seal()

    # Transactions.

    def _token_balances(self, keys: list[Pubkey]) -> list[dict[str, Any]]:
        found = []
        for index, key in enumerate(keys):
            account = self.svm.get_account(key)
            if account is None or account.owner != TOKEN_PROGRAM or len(account.data) != 165:
                continue
            state = TokenAccount.from_bytes(bytes(account.data))
            found.append({"accountIndex": index, "mint": str(state.mint),
                          "owner": str(state.owner),
                          "uiTokenAmount": {"amount": str(state.amount),
                                            "decimals": USDC_DECIMALS}})
        return found

    def send(self, raw: bytes) -> str:
        with self.lock:
            tx = Transaction.from_bytes(raw)
            signature = str(tx.signatures[0])
            if signature in self.landed or any(
                    e["transaction"]["signatures"][0] == signature for e in self.current):
                raise RpcFailure(-32002, "Transaction simulation failed: This transaction "
                                 "has already been processed")
            keys = list(tx.message.account_keys)
            pre = [self.svm.get_balance(k) or 0 for k in keys]
            pre_tokens = self._token_balances(keys)
            result = self.svm.send_transaction(tx)
            if isinstance(result, FailedTransactionMetadata):
                raise RpcFailure(-32002, f"Transaction simulation failed: {result.err()}; "
                                 f"{result.meta().logs()}")
            self.current.append({
                "transaction": {"signatures": [signature],
                                "message": {"accountKeys": [str(k) for k in keys]}},
                "meta": {"err": None, "fee": result.fee(), "preBalances": pre,
                         "postBalances": [self.svm.get_balance(k) or 0 for k in keys],
                         "preTokenBalances": pre_tokens,
                         "postTokenBalances": self._token_balances(keys)}})
            return signature

    def _create_mint(self) -> None:
        payer, mint = self.faucet.pubkey(), self.mint.pubkey()
        rent = self.svm.minimum_balance_for_rent_exemption(MINT_SIZE)
        init = Instruction(TOKEN_PROGRAM, bytes([20, USDC_DECIMALS]) + bytes(payer) + b"\0",
                           [AccountMeta(mint, False, True)])
        ata = get_associated_token_address(payer, mint)
        mint_to = Instruction(TOKEN_PROGRAM, bytes([7]) + (10**15).to_bytes(8, "little"), [
            AccountMeta(mint, False, True), AccountMeta(ata, False, True),
            AccountMeta(payer, True, False)])
        blockhash = self.svm.latest_blockhash()
        tx = Transaction([self.faucet, self.mint], Message.new_with_blockhash(
            [create_account(CreateAccountParams(from_pubkey=payer, to_pubkey=mint,
                                                lamports=rent, space=MINT_SIZE,
                                                owner=TOKEN_PROGRAM)),
             init, create_ata(payer, payer, mint), mint_to], payer, blockhash), blockhash)
        self.send(bytes(tx))
        self._seal()

    # JSON-RPC.

    def answer(self, method: str, params: list[Any]) -> Any:
        with self.lock:
            tip = len(self.blocks) - 1
            if method == "getGenesisHash":
                return self.genesis
            if method == "getSlot":
                return tip
            if method == "getBlock":
                slot = int(params[0])
                if slot > tip:
                    raise RpcFailure(-32004, f"Block not available for slot {slot}")
                block = self.blocks[slot]
                details = (params[1] if len(params) > 1 else {}).get("transactionDetails")
                return block if details != "none" else {
                    k: v for k, v in block.items() if k != "transactions"}
            if method == "getBalance":
                return {"context": {"slot": tip},
                        "value": self.svm.get_balance(Pubkey.from_string(params[0])) or 0}
            if method == "getAccountInfo":
                account = self.svm.get_account(Pubkey.from_string(params[0]))
                return {"context": {"slot": tip}, "value": None if account is None else {
                    "lamports": account.lamports, "owner": str(account.owner),
                    "data": [base64.b64encode(bytes(account.data)).decode(), "base64"],
                    "executable": account.executable, "rentEpoch": 0}}
            if method == "getTokenAccountBalance":
                account = self.svm.get_account(Pubkey.from_string(params[0]))
                if account is None or account.owner != TOKEN_PROGRAM:
                    raise RpcFailure(-32602, "Invalid param: could not find account")
                state = TokenAccount.from_bytes(bytes(account.data))
                return {"context": {"slot": tip}, "value": {
                    "amount": str(state.amount), "decimals": USDC_DECIMALS}}
            if method == "getMinimumBalanceForRentExemption":
                return self.svm.minimum_balance_for_rent_exemption(int(params[0]))
            if method == "getLatestBlockhash":
                return {"context": {"slot": tip}, "value": {
                    "blockhash": str(self.svm.latest_blockhash()),
                    "lastValidBlockHeight": tip + 150}}
            if method == "sendTransaction":
                return self.send(base64.b64decode(params[0]))
            if method == "getSignatureStatuses":
                return {"context": {"slot": tip}, "value": [
                    None if s not in self.landed else {
                        "slot": self.landed[s], "confirmations": tip - self.landed[s],
                        "err": None, "confirmationStatus": "confirmed"}
                    for s in params[0]]}
            if method == "getTransaction":
                slot = self.landed.get(params[0])
                if slot is None:
                    return None
                entry = next(e for e in self.blocks[slot]["transactions"]
                             if e["transaction"]["signatures"][0] == params[0])
                return {"slot": slot, "blockTime": self.blocks[slot]["blockTime"], **entry}
        raise RpcFailure(-32601, f"Method not found: {method}")


class RpcFailure(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class SolanaRpcServer:
    """The cluster on 127.0.0.1 (`.url`); `pay(address, amount, currency)` from
    the faucet (signed by the production sender), `mine(n)`."""

    def __init__(self):
        self.cluster = cluster = SolanaCluster()
        self.http = JsonServer(self._reply)
        self.url = self.http.url
        self.config = SolanaChain(tokens=(SplToken("USDC", str(cluster.mint.pubkey()),
                                                   USDC_DECIMALS),),
                                  genesis=cluster.genesis)
        self.faucet = SolanaSender(SolanaRpc(self.url), self.config,
                                   bytes(cluster.faucet)[:32])

    def pay(self, to: str, amount: Decimal | str, currency: str = "SOL") -> str:
        signed = self.faucet.sign(currency, to, Decimal(amount))
        self.faucet.broadcast(signed)
        self.mine(1)
        return signed.tx_hash

    def mine(self, blocks: int = 1) -> None:
        self.cluster.mine(blocks)

    def _reply(self, _path: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = {"result": self.cluster.answer(request["method"],
                                                   request.get("params", []))}
        except RpcFailure as failure:
            reply = {"error": {"code": failure.code, "message": failure.message}}
        return {"jsonrpc": "2.0", "id": request.get("id"), **reply}

    def close(self) -> None:
        self.http.close()
