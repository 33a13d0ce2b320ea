"""BIP32 public derivation: child public keys from an extended public key.

Deposit addresses are derived on the API server from an account-level xpub,
so it never holds a private key. Only non-hardened steps are possible from a
public key, which is all `m/44'/60'/0'` + `/0/i` needs once the account key
is exported. coincurve does the curve arithmetic (libsecp256k1).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import base58
from coincurve import PrivateKey, PublicKey

from chain.interfaces import InvalidAddress

HARDENED = 2**31
# Version bytes of serialized public keys that carry a plain secp256k1 key
# (xpub/tpub; ypub/zpub/upub/vpub share the layout, their script type is ignored).
PUBLIC_VERSIONS = {
    "0488b21e", "043587cf", "049d7cb2", "044a5262", "04b24746", "045f1cf6",
}


@dataclass(frozen=True)
class ExtendedPublicKey:
    depth: int
    chain_code: bytes
    key: PublicKey

    @classmethod
    def parse(cls, text: str) -> ExtendedPublicKey:
        """Decode a base58check xpub; refuses private keys and bad checksums."""
        try:
            raw = base58.b58decode_check(text.strip())
        except ValueError as error:
            raise InvalidAddress(f"extended key: {error}") from None
        if len(raw) != 78:
            raise InvalidAddress(f"extended key: {len(raw)} bytes, expected 78")
        if raw[:4].hex() not in PUBLIC_VERSIONS:
            raise InvalidAddress("extended key: not an extended PUBLIC key")
        try:
            key = PublicKey(raw[45:78])
        except ValueError:
            raise InvalidAddress("extended key: public key not on the curve") from None
        return cls(depth=raw[4], chain_code=raw[13:45], key=key)

    def child(self, index: int) -> ExtendedPublicKey:
        """CKDpub: the non-hardened child at `index`."""
        if not 0 <= index < HARDENED:
            raise ValueError(f"child index {index} must be in [0, 2**31)")
        data = self.key.format(compressed=True) + index.to_bytes(4, "big")
        digest = hmac.new(self.chain_code, data, hashlib.sha512).digest()
        return ExtendedPublicKey(self.depth + 1, digest[32:], self.key.add(digest[:32]))

    def derive(self, *indexes: int) -> ExtendedPublicKey:
        key = self
        for index in indexes:
            key = key.child(index)
        return key


PRIVATE_VERSIONS = {"0488ade4", "04358394"}  # xprv, tprv


@dataclass(frozen=True)
class ExtendedPrivateKey:
    """An account-level extended PRIVATE key: only the sweeper holds one, to
    sign for the deposit addresses the API server derives from its xpub."""

    depth: int
    chain_code: bytes
    secret: bytes  # 32 bytes

    @classmethod
    def parse(cls, text: str) -> ExtendedPrivateKey:
        try:
            raw = base58.b58decode_check(text.strip())
        except ValueError as error:
            raise InvalidAddress(f"extended key: {error}") from None
        if len(raw) != 78 or raw[:4].hex() not in PRIVATE_VERSIONS or raw[45] != 0:
            raise InvalidAddress("extended key: not an extended PRIVATE key")
        return cls(depth=raw[4], chain_code=raw[13:45], secret=raw[46:78])

    def public(self) -> ExtendedPublicKey:
        return ExtendedPublicKey(self.depth, self.chain_code,
                                 PrivateKey(self.secret).public_key)

    def child(self, index: int) -> ExtendedPrivateKey:
        """CKDpriv, non-hardened: the key whose public key CKDpub gives."""
        if not 0 <= index < HARDENED:
            raise ValueError(f"child index {index} must be in [0, 2**31)")
        data = PrivateKey(self.secret).public_key.format(compressed=True) \
            + index.to_bytes(4, "big")
        digest = hmac.new(self.chain_code, data, hashlib.sha512).digest()
        child = PrivateKey(self.secret).add(digest[:32])
        return ExtendedPrivateKey(self.depth + 1, digest[32:], child.secret)

    def derive(self, *indexes: int) -> ExtendedPrivateKey:
        key = self
        for index in indexes:
            key = key.child(index)
        return key


def deposit_keys(account_xprv: str, account_xpub: str | None, chain: str):
    """The private key (32 bytes) of deposit address `i` (`0/i` under the
    account) for the sweeper; refuses an xprv whose public key is not the xpub
    the deposit addresses come from."""
    from chain.errors import ChainMismatch

    account = ExtendedPrivateKey.parse(account_xprv)
    if account_xpub is not None:
        public, mine = ExtendedPublicKey.parse(account_xpub), account.public()
        if (mine.key.format(), mine.chain_code) != (public.key.format(), public.chain_code):
            raise ChainMismatch(f"{chain}: the sweep key does not match the deposit "
                                "addresses' xpub")
    external = account.child(0)
    return lambda index: external.child(index).secret
