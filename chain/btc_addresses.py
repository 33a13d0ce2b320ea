"""Bitcoin destination addresses: checksum, network, script type, case.

bitcoinlib parses; two of its quirks are handled here: an all-upper-case
bech32 address is valid (BIP173, for QR codes) but bitcoinlib refuses it, so
it is lower-cased first; and bitcoinlib re-encodes taproot addresses wrongly,
so the canonical form returned is the (lower-cased) input, never its output.
"""

from __future__ import annotations

from chain.bitcoinlib_home import Address, BKeyError, EncodingError, NetworkError
from chain.btc_networks import BitcoinNetwork, bitcoin_network
from chain.interfaces import InvalidAddress

PAYABLE = {"p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr"}
BECH32_PREFIXES = ("bc1", "tb1", "bcrt1")


class BtcAddressValidator:
    def __init__(self, network: BitcoinNetwork | str):
        self.network = network if isinstance(network, BitcoinNetwork) else bitcoin_network(network)

    def normalize(self, address: str) -> str:
        text = address.strip() if isinstance(address, str) else ""
        if text.isupper() and text.lower().startswith(BECH32_PREFIXES):
            text = text.lower()
        parsed = parse(text)
        wrong_hrp = parsed.encoding == "bech32" and not text.startswith(self.network.hrp + "1")
        if wrong_hrp or parsed.network.name not in self.network.address_networks:
            raise InvalidAddress(
                f"Bitcoin address: a {parsed.network.name} address, expected {self.network}")
        if parsed.script_type not in PAYABLE:
            raise InvalidAddress(f"Bitcoin address: unsupported script type {parsed.script_type}")
        return text


def parse(text: str) -> Address:
    if not text:
        raise InvalidAddress("Bitcoin address: empty")
    try:
        return Address.parse(text)
    except EncodingError as error:
        raise InvalidAddress(f"Bitcoin address: {reason(str(error))}") from None
    except (NetworkError, BKeyError, ValueError, TypeError) as error:
        raise InvalidAddress(f"Bitcoin address: not recognised ({error})") from None


def reason(message: str) -> str:
    """bitcoinlib's encoding errors, said plainly."""
    if "polymod" in message or "checksum" in message.lower():
        return f"checksum mismatch (mistyped?): {message}"
    if "character" in message:
        return f"invalid characters or mixed case: {message}"
    return message
