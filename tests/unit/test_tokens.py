"""Bearer tokens: a verified token is remembered, but never past its expiry."""

from __future__ import annotations

import time

import jwt
import pytest

from api.http.auth import InvalidToken, Role, TokenIssuer


def test_a_remembered_token_still_expires():
    tokens = TokenIssuer("s" * 32)
    token = tokens.issue(Role.PROVIDER, "acme", ttl=1)
    assert tokens.verify(token).subject == "acme"
    assert tokens.verify(token).subject == "acme"  # remembered
    time.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"]
                   - time.time()) + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token)


def test_only_tokens_that_verified_are_remembered():
    tokens = TokenIssuer("s" * 32)
    forged = jwt.encode({"sub": "acme", "role": "provider", "exp": 4_000_000_000},
                        "another key" * 4, algorithm="HS256")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.verify(forged)


def test_the_memory_is_bounded():
    tokens = TokenIssuer("s" * 32, remembered=3)
    issued = [tokens.issue(Role.PLAYER, f"p{n}") for n in range(10)]
    assert [tokens.verify(t).subject for t in issued] == [f"p{n}" for n in range(10)]
    assert len(tokens._verified) <= 3
