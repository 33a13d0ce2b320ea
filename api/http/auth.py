"""Bearer tokens: signed JWTs carrying a subject, one role and, optionally, a brand.

A provider or a back office sends the same token with every request until it
expires, so a verified token is remembered (by its exact text, with its
expiry) and not decoded and checked again: about a tenth of the server's time
per request in the bets benchmark. Only tokens that verified are remembered,
and each only until its own `exp`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

from domain.brands.model import BRAND_NAME
from domain.kernel.text import check_id, is_id


class Role(StrEnum):
    PLAYER = "player"
    PROVIDER = "provider"
    OPERATOR = "operator"
    FINANCE = "finance"
    COMPLIANCE = "compliance"
    REGULATOR = "regulator"


@dataclass(frozen=True)
class Principal:
    """Who calls: a bearer token's subject, or a staff member signed in to the
    console (api/console), with the brand they are scoped to (None: all)."""

    subject: str
    role: Role
    brand: str | None = None  # the brand the token is scoped to; None: the group


class InvalidToken(Exception):
    pass


class TokenIssuer:
    algorithm = "HS256"

    def __init__(self, key: str, *, default_ttl: int = 3600, remembered: int = 10_000):
        self._key = key
        self.default_ttl = default_ttl
        self._verified: dict[str, tuple[Principal, int]] = {}  # token: (who, exp)
        self._remembered = remembered

    def issue(self, role: Role, subject: str, ttl: int | None = None,
              brand: str | None = None) -> str:
        """A token; with `brand`, scoped to that brand's players (docs/brands.md)."""
        check_id(subject, "subject")
        if brand is not None and not BRAND_NAME.match(brand):
            raise ValueError(f"brand: {brand!r} is not a brand name")
        now = int(time.time())
        claims = {"sub": subject, "role": role.value, "iat": now,
                  "exp": now + (ttl or self.default_ttl)}
        if brand is not None:
            claims["brand"] = brand
        return jwt.encode(claims, self._key, algorithm=self.algorithm)

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        try:
            claims = jwt.decode(token, self._key, algorithms=[self.algorithm],
                                options={"require": ["sub", "role", "exp"]})
            if not is_id(claims["sub"]):
                raise InvalidToken("the subject is not an id")
            brand = claims.get("brand")
            if brand is not None and not (isinstance(brand, str) and BRAND_NAME.match(brand)):
                raise InvalidToken("the brand is not a brand name")
            principal = Principal(subject=claims["sub"], role=Role(claims["role"]),
                                  brand=brand)
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(str(error)) from error
        if len(self._verified) >= self._remembered:
            self._verified.clear()  # rarely: as many live tokens as it remembers
        self._verified[token] = (principal, int(claims["exp"]))
        return principal
