"""The hot wallet of Solana (and, with a deposit address's key, the sweeper's
signer): SOL and SPL-token transfers signed with solders, over JSON-RPC.

Fees: 5,000 lamports a signature (one here), plus, for a token transfer to
an owner without a token account, the rent of the associated token account
the hot wallet creates for it (`createIdempotent`). `fee(currency)` is that
cap; `Receipt.fee_paid` is what the payer lost beyond the SOL it sent (the
signature fee, and a created account's rent). A transaction names a recent
blockhash and expires with it (about 150 slots): a recorded withdrawal can
be re-broadcast only until then. Solana has no account nonces:
`next_nonce()` is 0 and `SignedTransfer.nonce` None.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import ID as SYSTEM_PROGRAM
from solders.system_program import TransferParams, transfer
from solders.token import ID as TOKEN_PROGRAM
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction

from chain.errors import InsufficientHotFunds, TransactionRejected
from chain.interfaces import Receipt, SignedTransfer
from chain.solana_addresses import SolanaAddressValidator
from chain.solana_node import LAMPORTS, RpcError, SolanaChain, SolanaRpc
from chain.units import to_coins, to_units

SIGNATURE_FEE = 5000
TOKEN_ACCOUNT_SIZE = 165
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
TRANSFER_CHECKED = 12
KNOWN = ("already been processed", "alreadyprocessed")


def create_ata(payer: Pubkey, owner: Pubkey, mint: Pubkey) -> Instruction:
    """The associated token program's CreateIdempotent (a no-op if it exists)."""
    return Instruction(ATA_PROGRAM, bytes([1]), [
        AccountMeta(payer, True, True),
        AccountMeta(get_associated_token_address(owner, mint), False, True),
        AccountMeta(owner, False, False), AccountMeta(mint, False, False),
        AccountMeta(SYSTEM_PROGRAM, False, False), AccountMeta(TOKEN_PROGRAM, False, False)])


def transfer_checked(source: Pubkey, mint: Pubkey, destination: Pubkey, owner: Pubkey,
                     units: int, decimals: int) -> Instruction:
    return Instruction(TOKEN_PROGRAM, bytes([TRANSFER_CHECKED]) + units.to_bytes(8, "little")
                       + bytes([decimals]), [
        AccountMeta(source, False, True), AccountMeta(mint, False, False),
        AccountMeta(destination, False, True), AccountMeta(owner, True, False)])


class SolanaSender:
    def __init__(self, rpc: SolanaRpc, chain: SolanaChain, secret: bytes | str):
        self.rpc = rpc
        self.solana = chain
        self.chain = chain.name
        seed = bytes.fromhex(secret) if isinstance(secret, str) else secret
        self._keypair = Keypair.from_seed(seed[:32])
        self._validator = SolanaAddressValidator()

    def tip(self) -> int:
        return int(self.rpc.call("getSlot", {"commitment": "confirmed"}))

    def hot_address(self) -> str:
        return str(self._keypair.pubkey())

    def balance(self, currency: str) -> Decimal:
        return self.balance_of(self.hot_address(), currency)

    def balance_of(self, address: str, currency: str) -> Decimal:
        owner = Pubkey.from_string(self._validator.normalize(address))
        token = self.solana.token(currency)
        if token is None:
            lamports = self.rpc.call("getBalance", str(owner), {"commitment": "confirmed"})
            return to_coins(int(lamports["value"]), LAMPORTS)
        ata = get_associated_token_address(owner, Pubkey.from_string(token.mint))
        try:
            found = self.rpc.call("getTokenAccountBalance", str(ata),
                                  {"commitment": "confirmed"})
        except RpcError:
            return Decimal(0)  # no token account yet
        return to_coins(int(found["value"]["amount"]), token.decimals)

    def _rent(self) -> int:
        return int(self.rpc.call("getMinimumBalanceForRentExemption", TOKEN_ACCOUNT_SIZE))

    def fee(self, currency: str) -> Decimal:
        if self.solana.token(currency) is None:
            return to_coins(SIGNATURE_FEE, LAMPORTS)
        return to_coins(SIGNATURE_FEE + self._rent(), LAMPORTS)

    def next_nonce(self) -> int:
        return 0

    def sign(self, currency: str, destination: str, amount: Decimal,
             nonce: int | None = None) -> SignedTransfer:
        to = Pubkey.from_string(self._validator.normalize(destination))
        me = self._keypair.pubkey()
        token = self.solana.token(currency)
        if token is None:
            fee = SIGNATURE_FEE
            instructions = [transfer(TransferParams(from_pubkey=me, to_pubkey=to,
                                                    lamports=to_units(amount, LAMPORTS)))]
        else:
            mint = Pubkey.from_string(token.mint)
            exists = self.rpc.call("getAccountInfo", str(get_associated_token_address(
                to, mint)), {"encoding": "base64"})["value"] is not None
            fee = SIGNATURE_FEE + (0 if exists else self._rent())
            instructions = [create_ata(me, to, mint), transfer_checked(
                get_associated_token_address(me, mint), mint,
                get_associated_token_address(to, mint), me,
                to_units(amount, token.decimals), token.decimals)]
        self._check_funds(currency, amount, to_coins(fee, LAMPORTS))
        blockhash = Hash.from_string(self.rpc.call(
            "getLatestBlockhash", {"commitment": "confirmed"})["value"]["blockhash"])
        tx = Transaction([self._keypair], Message.new_with_blockhash(
            instructions, me, blockhash), blockhash)
        return SignedTransfer(str(tx.signatures[0]), base64.b64encode(bytes(tx)).decode(),
                              None, to_coins(fee, LAMPORTS), self.solana.native_currency)

    def broadcast(self, signed: SignedTransfer) -> str:
        try:
            self.rpc.call("sendTransaction", signed.raw, {"encoding": "base64"})
        except RpcError as error:
            if any(k in str(error).lower() for k in KNOWN) or self._landed(signed.tx_hash):
                return signed.tx_hash
            raise TransactionRejected(f"{self.chain}: {error}") from None
        return signed.tx_hash

    def _landed(self, signature: str) -> bool:
        status = self.rpc.call("getSignatureStatuses", [signature])["value"][0]
        return status is not None

    def receipt(self, tx_hash: str) -> Receipt | None:
        found = self.rpc.call("getTransaction", tx_hash, {
            "encoding": "json", "commitment": "confirmed",
            "maxSupportedTransactionVersion": 0})
        if found is None:
            return None
        meta, slot = found["meta"], int(found["slot"])
        block = self.rpc.call("getBlock", slot, {"transactionDetails": "none",
                                                 "rewards": False})
        paid = meta["fee"]
        if meta.get("preTokenBalances") or meta.get("postTokenBalances"):
            paid = meta["preBalances"][0] - meta["postBalances"][0]  # fee and rent
        return Receipt(tx_hash, slot, block["blockhash"], meta.get("err") is None,
                       to_coins(paid, LAMPORTS))

    def _check_funds(self, currency: str, amount: Decimal, fee: Decimal) -> None:
        native = self.balance(self.solana.native_currency)
        token = self.solana.token(currency)
        needed = fee + (amount if token is None else 0)
        if native < needed:
            raise InsufficientHotFunds(f"{self.chain} {self.hot_address()} holds {native} "
                                       f"{self.solana.native_currency}, needs {needed}")
        if token is not None and self.balance(currency) < amount:
            raise InsufficientHotFunds(f"{self.chain} {self.hot_address()} holds "
                                       f"{self.balance(currency)} {currency}, needs {amount}")
