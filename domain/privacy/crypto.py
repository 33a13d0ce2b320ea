"""Envelope encryption of personal data: a data key per player, wrapped by a master key.

A profile is sealed with the player's own 256-bit data key (AES-GCM, the
player id as associated data so a sealed profile cannot be passed off as
another player's). Its nonce is synthetic (an HMAC of the profile under the
data key), so the same profile seals to the same text and a repeated PUT
records nothing; distinct profiles get distinct nonces. The data key is stored only
wrapped: AES-GCM under a master key from configuration, with the player id and
the master key's id as associated data. Destroying a player's wrapped data key
makes every sealed copy of their profile (log, views, exports, backups of
them) unreadable for good: crypto-shredding. Rotation re-wraps the data keys
under a new master key; the sealed profiles never change (docs/privacy.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED_PREFIX = "v1."
KEY_BYTES = 32


class Unreadable(Exception):
    """A sealed text or wrapped key that this key cannot open."""


@dataclass(frozen=True)
class MasterKeys:
    """Master keys by id; `current` wraps new data keys, the others only unwrap."""

    keys: Mapping[str, bytes]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError(f"no master key {self.current!r}")
        if any(len(key) != KEY_BYTES for key in self.keys.values()):
            raise ValueError("a master key is 32 bytes")

    def wrap(self, player_id: str, data_key: bytes) -> tuple[str, bytes]:
        """(the master key id, the data key wrapped under it)."""
        return self.current, _encrypt(self.keys[self.current], data_key,
                                      _aad(player_id, self.current))

    def unwrap(self, player_id: str, key_id: str, wrapped: bytes) -> bytes:
        if key_id not in self.keys:
            raise Unreadable(f"master key {key_id!r} is not configured")
        return _decrypt(self.keys[key_id], wrapped, _aad(player_id, key_id))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(data_key: bytes, player_id: str, fields: Mapping[str, Any]) -> str:
    """The fields as text no one without the data key can read."""
    plain = json.dumps(dict(fields), sort_keys=True, separators=(",", ":")).encode()
    aad = player_id.encode()
    nonce = hmac.new(data_key, aad + b"\x1f" + plain, hashlib.sha256).digest()[:12]
    return SEALED_PREFIX + base64.b64encode(_encrypt(data_key, plain, aad, nonce)).decode()


def unseal(data_key: bytes, player_id: str, sealed: str) -> dict[str, Any]:
    if not sealed.startswith(SEALED_PREFIX):
        raise Unreadable("not a sealed profile")
    raw = base64.b64decode(sealed.removeprefix(SEALED_PREFIX))
    return json.loads(_decrypt(data_key, raw, player_id.encode()))


def _aad(player_id: str, key_id: str) -> bytes:
    return f"{player_id}\x1f{key_id}".encode()


def _encrypt(key: bytes, plain: bytes, aad: bytes, nonce: bytes | None = None) -> bytes:
    nonce = nonce or os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def _decrypt(key: bytes, raw: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], aad)
    except (InvalidTag, ValueError) as error:
        raise Unreadable("the key does not open it") from error
