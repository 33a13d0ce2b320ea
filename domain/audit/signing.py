"""Ed25519 signatures over canonical JSON, each naming the key that made it.

A signature travels with its key id, so keys can rotate: new checkpoints and
manifests name the new key, and anything signed before still verifies with
the old public key. Keys are given as PEM or as 64 hex digits (the 32-byte
private seed, or the raw public key).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALGORITHM = "Ed25519"
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(*RAW).hex()


def key_id_of(key: Ed25519PublicKey) -> str:
    """A default key id: `ed25519:` and the first 16 hex digits of SHA-256(public key)."""
    return "ed25519:" + hashlib.sha256(key.public_bytes(*RAW)).hexdigest()[:16]


def private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM key is not an Ed25519 private key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_seed(text))


def public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_seed(text))


def _seed(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise ValueError("a key is PEM or 64 hex digits") from None
    if len(raw) != 32:
        raise ValueError("a key is PEM or 64 hex digits (32 bytes)")
    return raw


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey
    key_id: str

    @property
    def public(self) -> Ed25519PublicKey:
        return self.key.public_key()

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document with `keyId`, `algorithm` and `signature` over all the rest."""
        body = {**document, "keyId": self.key_id, "algorithm": ALGORITHM}
        signature = self.key.sign(canonical_json(body))
        return {**body, "signature": base64.b64encode(signature).decode()}


def verify(document: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """Whether `signature` signs every other field of the document with `key`."""
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        key.verify(base64.b64decode(document.get("signature", ""), validate=True),
                   canonical_json(body))
    except (InvalidSignature, ValueError):
        return False
    return True
