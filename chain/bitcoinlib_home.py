"""Import bitcoinlib through here: it writes a config, database and log
folder on import, to `$BCL_DATA_DIR` or else `~/.bitcoinlib`. This points it
at a folder of its own under the system temp directory unless the
composition root (or a test) has set `BCL_DATA_DIR` first. Only bitcoinlib's
keys, encoding and transactions are used; its Wallet and Service would call
public web services.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault(
    "BCL_DATA_DIR", str(Path(tempfile.gettempdir()) / "casino-ledger-bitcoinlib"))

from bitcoinlib.encoding import (  # noqa: E402
    EncodingError,
    pubkeyhash_to_addr_base58,
    pubkeyhash_to_addr_bech32,
)
from bitcoinlib.keys import Address, BKeyError, HDKey, Key  # noqa: E402
from bitcoinlib.mnemonic import Mnemonic  # noqa: E402
from bitcoinlib.networks import NetworkError  # noqa: E402
from bitcoinlib.transactions import Transaction  # noqa: E402

__all__ = [
    "Address", "BKeyError", "EncodingError", "HDKey", "Key", "Mnemonic", "NetworkError",
    "Transaction", "pubkeyhash_to_addr_base58", "pubkeyhash_to_addr_bech32",
]
