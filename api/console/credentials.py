"""Staff credentials: argon2 password hashes, TOTP codes (RFC 6238), sealing, QR codes.

What the log keeps is sealed with AES-GCM under a key derived from the
deployment's signing key, bound to the account's name: an export of the log
carries no password hash nor TOTP secret in clear. Rotating the signing key
therefore means setting every staff password again (`staff password`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ISSUER = "casino-ledger"
STEP_SECONDS = 30
MIN_PASSWORD = 12


def derived(key: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose, so no two uses share the signing key."""
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).digest()


class Credentials:
    def __init__(self, signing_key: str):
        self._aead = AESGCM(derived(signing_key, "staff credentials"))
        self._hasher = PasswordHasher()
        # Verified for unknown names, so a wrong name takes as long as a wrong password.
        self._decoy = self._hasher.hash(os.urandom(16).hex())

    def seal(self, name: str, secret: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), name.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, name: str, sealed: str) -> str:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return self._aead.decrypt(raw[:12], raw[12:], name.encode()).decode()

    def sealed_password(self, name: str, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
        return self.seal(name, self._hasher.hash(password))

    def password_ok(self, name: str, sealed: str | None, password: str) -> bool:
        try:
            hashed = self._decoy if sealed is None else self.unseal(name, sealed)
            return self._hasher.verify(hashed, password) and sealed is not None
        except (VerificationError, InvalidHashError, InvalidTag, ValueError):
            return False


def new_secret() -> str:
    return pyotp.random_base32()


def matched_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (30 s) whose code this is, allowing one step of clock drift
    either way; None if it matches none."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp, step = pyotp.TOTP(secret), int(now.timestamp()) // STEP_SECONDS
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now` (tests and the CLI)."""
    return pyotp.TOTP(secret).generate_otp(int(now.timestamp()) // STEP_SECONDS)


def provisioning_uri(secret: str, name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """An SVG QR code of `text`, to inline in the enrolment page."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")
