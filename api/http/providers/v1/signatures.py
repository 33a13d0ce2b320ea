"""Signed provider calls: a provider token, and an HMAC of the exact body sent.

A game provider signs the raw request body with its shared secret:
`X-Casino-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. The secret is
the one configured for the token's subject (CASINO_LEDGER_PROVIDER_SECRETS);
for a token scoped to a brand, the brand's own (`"<brand>/<provider>"`) when
it has one (docs/brands.md).
Without a valid signature the request is refused with a 401 before the route
runs, so nothing changes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Annotated, NoReturn

from fastapi import Depends, Header, HTTPException, Request

from api.http.auth import Principal, Role
from api.http.deps import ServicesDep, require

SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


async def signed_provider(
        request: Request, services: ServicesDep,
        principal: Principal = require(Role.PROVIDER),
        x_casino_signature: Annotated[str | None, Header()] = None) -> Principal:
    """The calling provider, once its signature over the raw body checks out.

    FastAPI has already read the body (it caches `request.body()`), so the
    route still receives it parsed.
    """
    secrets = services.settings.provider_secrets
    secret = secrets.get(f"{principal.brand}/{principal.subject}", secrets.get(
        principal.subject)) if principal.brand else secrets.get(principal.subject)
    if secret is None:
        refuse(f"no signing secret is configured for provider {principal.subject!r}")
    if x_casino_signature is None:
        refuse("the X-Casino-Signature header is required")
    given = SIGNATURE.fullmatch(x_casino_signature)
    if given is None:
        refuse("X-Casino-Signature must be sha256=<64 hex digits>")
    digest = hmac.new(secret.get_secret_value().encode(), await request.body(),
                      hashlib.sha256).digest()
    if not hmac.compare_digest(digest, bytes.fromhex(given.group(1))):
        refuse("X-Casino-Signature does not match the body")
    return principal


def refuse(message: str) -> NoReturn:
    raise HTTPException(401, message, headers={"WWW-Authenticate": "Signature"})


SignedProvider = Annotated[Principal, Depends(signed_provider)]
