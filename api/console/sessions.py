"""Console sessions and CSRF tokens, both in cookies signed with derived keys.

The session cookie carries who signed in, the session id the account
recorded, the sign-in time and the time of the last request; it is issued
again with every page, so the idle timeout slides while the absolute one does
not. The account is read on every request: a session its account no longer
names (signed out, signed in elsewhere, locked, password reset) is over.

CSRF: a random nonce in its own cookie, and forms carry HMAC(nonce); a forged
form from another site knows neither (a signed double-submit cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import jwt

from api.console.credentials import derived
from api.console.settings import ConsoleSettings

SESSION_COOKIE = "console_session"
CSRF_COOKIE = "console_csrf"
ENROL_COOKIE = "console_enrol"


class SessionEnded(Exception):
    """No session, or one that timed out or was tampered with (the message says which)."""


@dataclass(frozen=True)
class Claims:
    name: str
    session: str
    signed_in: int  # epoch seconds
    seen: int


class Sessions:
    algorithm = "HS256"

    def __init__(self, signing_key: str, settings: ConsoleSettings):
        self._key = derived(signing_key, "console sessions")
        self._csrf_key = derived(signing_key, "console csrf")
        self.settings = settings

    def issue(self, claims: Claims) -> str:
        return jwt.encode({"sub": claims.name, "sid": claims.session,
                           "iat": claims.signed_in, "seen": claims.seen},
                          self._key, algorithm=self.algorithm)

    def read(self, cookie: str | None, now: datetime) -> Claims:
        if not cookie:
            raise SessionEnded("please sign in")
        try:
            raw = jwt.decode(cookie, self._key, algorithms=[self.algorithm],
                             options={"require": ["sub", "sid", "iat", "seen"],
                                      "verify_iat": False})
            claims = Claims(str(raw["sub"]), str(raw["sid"]), int(raw["iat"]),
                            int(raw["seen"]))
        except (jwt.PyJWTError, ValueError, TypeError):
            raise SessionEnded("please sign in") from None
        at = int(now.timestamp())
        if at - claims.signed_in >= self.settings.absolute_minutes * 60:
            raise SessionEnded("your session reached its time limit; please sign in again")
        if at - claims.seen >= self.settings.idle_minutes * 60:
            raise SessionEnded("your session timed out; please sign in again")
        return claims

    def seal_value(self, purpose: str, value: str, ttl: int = 600) -> str:
        """A signed value for a cookie that lasts `ttl` seconds (an enrolment)."""
        return jwt.encode({"p": purpose, "v": value, "exp": int(time.time()) + ttl},
                          self._key, algorithm=self.algorithm)

    def sealed_value(self, purpose: str, cookie: str | None) -> str | None:
        try:
            raw = jwt.decode(cookie or "", self._key, algorithms=[self.algorithm])
        except jwt.PyJWTError:
            return None
        return raw.get("v") if raw.get("p") == purpose else None

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._csrf_key, nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce and token) and hmac.compare_digest(
            self.csrf_token(nonce or ""), token or "")


def new_id() -> str:
    return secrets.token_urlsafe(24)
