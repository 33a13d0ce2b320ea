"""Hub88's request signature: RSA-SHA256 (PKCS#1 v1.5) over the raw body,
base64 in `X-Hub88-Signature`, checked with Hub88's public key.

A missing, malformed or wrong signature is the same answer for Hub88
(RS_ERROR_INVALID_SIGNATURE); nothing is parsed before the check passes.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def load_public_key(path: Path) -> RSAPublicKey:
    """Hub88's public key from a PEM file; anything but an RSA key is refused."""
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise ValueError(f"no RSA public key in PEM at {path}: {error}") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError(f"the key at {path} is not an RSA public key")
    return key


def verifies(key: RSAPublicKey, body: bytes, header: str | None) -> bool:
    """Whether `header` is Hub88's signature of exactly `body`."""
    if not header:
        return False
    try:
        signature = base64.b64decode(header.strip(), validate=True)
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
