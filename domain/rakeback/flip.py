"""Double-or-nothing, provably fair: a committed server seed, a client seed, a nonce.

Before a flip the player is shown SHA-256(server seed). The flip's outcome is
HMAC-SHA256(key=server seed, message="<client seed>:<nonce>"): the player wins
when the first byte is below 128 (probability one half). After the flip the
server seed is revealed (it is in the event), so anyone can recompute the
outcome and check it against the hash committed beforehand.

Server seeds are derived from the casino's secret and the seed's index, so
they need no storage and cannot be chosen after the client seed is known.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


def server_seed(secret: bytes, account: str, index: int) -> str:
    return hmac.new(secret, f"flip-seed:{account}:{index}".encode(),
                    hashlib.sha256).hexdigest()


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


@dataclass(frozen=True)
class Flip:
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int

    @property
    def digest(self) -> str:
        return hmac.new(self.server_seed.encode(), f"{self.client_seed}:{self.nonce}".encode(),
                        hashlib.sha256).hexdigest()

    @property
    def won(self) -> bool:
        return int(self.digest[:2], 16) < 128

    @property
    def honest(self) -> bool:
        """Whether the revealed seed is the one whose hash was committed."""
        return seed_hash(self.server_seed) == self.server_seed_hash

    def record(self) -> dict[str, object]:
        return {"serverSeed": self.server_seed, "serverSeedHash": self.server_seed_hash,
                "clientSeed": self.client_seed, "nonce": self.nonce,
                "digest": self.digest, "won": self.won}
