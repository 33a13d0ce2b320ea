"""Hub88 calls for the HTTP tests: a key pair standing in for Hub88's, the app
configured with its public half, signed calls, and game sessions.

Hub88's real private key is not published; its public key and vectors are
checked in tests/unit/test_hub88_signature.py and test_hub88_vectors_http.py.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from api.config.settings import Settings

PREFIX = "/hub88"
USER = "john12345"  # the documented examples' user
GAME = "clt_dragonrising"  # the documented examples' game_code


@pytest.fixture(scope="session")
def hub88_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: RSAPrivateKey, folder: Path) -> Path:
    path = folder / "hub88-public.pem"
    path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def with_hub88(settings: Settings, key: RSAPrivateKey, folder: Path) -> Settings:
    """`settings` plus Hub88 mounted under /hub88 with our stand-in key."""
    return settings.model_copy(update={"hub88_public_key": public_pem(key, folder),
                                       "hub88_prefix": PREFIX, "game_session_ttl": 600})


@pytest.fixture
def settings(settings: Settings, hub88_key: RSAPrivateKey, tmp_path: Path) -> Settings:
    return with_hub88(settings, hub88_key, tmp_path)


def hub88_sign(key: RSAPrivateKey, raw: bytes) -> str:
    """X-Hub88-Signature as Hub88 computes it: RSA-SHA256, PKCS#1 v1.5, base64."""
    return base64.b64encode(key.sign(raw, padding.PKCS1v15(), hashes.SHA256())).decode()


@pytest.fixture
def hub88(client, hub88_key) -> Callable[..., dict[str, Any]]:
    """POST a Hub88 call (signed unless `signature` is given); its JSON answer."""
    numbers = itertools.count(1)

    def post(path: str, body: dict[str, Any] | bytes, *, signature: str | None = None,
             ) -> dict[str, Any]:
        if isinstance(body, dict):
            body = {"request_uuid": f"req-{next(numbers)}"} | body
            raw = json.dumps(body).encode()
        else:
            raw = body
        header = signature if signature is not None else hub88_sign(hub88_key, raw)
        response = client.post(PREFIX + path, content=raw, headers={
            "X-Hub88-Signature": header, "Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        return response.json()

    return post


@pytest.fixture
def launch(client, operator) -> Callable[..., str]:
    """Open a game session; its token."""

    def post(player: str = USER, currency: str = "USDT", game_id: str = GAME) -> str:
        response = client.post(f"/v1/players/{player}/game-sessions", headers=operator,
                               json={"gameId": game_id, "currency": currency})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    return post
