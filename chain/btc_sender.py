"""The Bitcoin hot wallet over bitcoind JSON-RPC: one P2WPKH key.

Coins come from `scantxoutset` (confirmed outputs; no wallet needed on the
node, but on main net a scan takes a while and one runs at a time), less any
already spent by a mempool transaction (`gettxout`) or by a payment this
sender signed. Bitcoin has no nonces: `next_nonce()` is always 0 and
`SignedTransfer.nonce` None; the coins a signed payment spends are what stop
it being paid twice. `receipt` needs `getrawtransaction` to find mined
transactions: run the node with `-txindex`.
"""

from __future__ import annotations

from decimal import Decimal

from chain.bitcoinlib_home import BKeyError, Key
from chain.btc_addresses import BtcAddressValidator
from chain.btc_networks import BitcoinNetwork, bitcoin_network
from chain.btc_rpc import BitcoindRpc, RpcError
from chain.btc_transactions import SATOSHIS, Coin, build, select, to_satoshis, vsize
from chain.errors import TransactionRejected
from chain.interfaces import InvalidAddress, Receipt, SignedTransfer

ALREADY_MINED = -27  # RPC_VERIFY_ALREADY_IN_CHAIN
NO_SUCH_TRANSACTION = -5


class BitcoinSender:
    def __init__(self, rpc: BitcoindRpc, network: BitcoinNetwork | str, hot_key: str, *,
                 fallback_fee_rate: Decimal = Decimal("10"), confirm_target: int = 6,
                 chain: str = "bitcoin", currency: str = "BTC"):
        """`hot_key`: the private key as hex or WIF; `fallback_fee_rate` in
        sat/vB when the node cannot estimate (regtest, a fresh node)."""
        self.rpc = rpc
        self.network = network if isinstance(network, BitcoinNetwork) else bitcoin_network(network)
        self.chain, self.currency = chain, currency
        self._key = hot_key_of(hot_key, self.network.address_networks[0])
        self._address = self._key.address(encoding="bech32")
        self._validator = BtcAddressValidator(self.network)
        self._fallback, self._target = fallback_fee_rate, confirm_target
        self._reserved: set[tuple[str, int]] = set()

    def tip(self) -> int:
        return self.rpc.call("getblockcount")

    def hot_address(self) -> str:
        return self._address

    def balance(self, currency: str) -> Decimal:
        self._check(currency)
        return Decimal(sum(coin.satoshis for coin in self._spendable())) / SATOSHIS

    def balance_of(self, address: str, currency: str) -> Decimal:
        self._check(currency)
        scan = self.rpc.call("scantxoutset", "start", [f"addr({self._validator.normalize(address)})"])
        return scan["total_amount"]

    def fee(self, currency: str) -> Decimal:
        self._check(currency)
        return Decimal(int(self._fee_rate() * vsize(1, 2)) + 1) / SATOSHIS

    def next_nonce(self) -> int:
        return 0

    def sign(self, currency: str, destination: str, amount: Decimal,
             nonce: int) -> SignedTransfer:
        self._check(currency)
        destination = self._validator.normalize(destination)
        satoshis = to_satoshis(amount)
        coins, fee = select(self._spendable(), satoshis, self._fee_rate())
        payment = build(self._key, self.network.address_networks[0], coins, destination,
                        satoshis, fee, self._address)
        self._reserved.update((coin.txid, coin.vout) for coin in payment.spent)
        return SignedTransfer(payment.txid, payment.raw, None,
                              Decimal(payment.fee) / SATOSHIS, self.currency)

    def broadcast(self, signed: SignedTransfer) -> str:
        try:
            return self.rpc.call("sendrawtransaction", signed.raw)
        except RpcError as error:
            if error.code == ALREADY_MINED:
                return signed.tx_hash
            if error.code in (-25, -26, -22):
                raise TransactionRejected(str(error)) from error
            raise

    def receipt(self, tx_hash: str) -> Receipt | None:
        try:
            tx = self.rpc.call("getrawtransaction", tx_hash, 2)
        except RpcError as error:
            if error.code == NO_SUCH_TRANSACTION:
                return None
            raise
        if tx.get("confirmations", 0) < 1:
            return None  # in the mempool, or in a block no longer on the best chain
        height = self.rpc.call("getblockheader", tx["blockhash"])["height"]
        return Receipt(tx_hash, height, tx["blockhash"], True, tx.get("fee", Decimal(0)))

    def _spendable(self) -> list[Coin]:
        scan = self.rpc.call("scantxoutset", "start", [f"addr({self._address})"])
        coins = [Coin(u["txid"], u["vout"], to_satoshis(u["amount"])) for u in scan["unspents"]]
        return [coin for coin in coins if (coin.txid, coin.vout) not in self._reserved
                and self.rpc.call("gettxout", coin.txid, coin.vout, True) is not None]

    def _fee_rate(self) -> Decimal:
        """sat/vB: the node's estimate for `confirm_target` blocks, else the fallback."""
        estimate = self.rpc.call("estimatesmartfee", self._target)
        if "feerate" not in estimate:
            return self._fallback
        return estimate["feerate"] * SATOSHIS / 1000  # BTC/kvB -> sat/vB

    def _check(self, currency: str) -> None:
        if currency != self.currency:
            raise ValueError(f"{self.chain} carries no currency {currency!r}")


def hot_key_of(text: str, network: str) -> Key:
    try:
        secret = bytes.fromhex(text) if len(text) == 64 else text
        return Key(secret, network=network, compressed=True)
    except (BKeyError, ValueError) as error:
        raise InvalidAddress(f"hot wallet key: {error}") from None
