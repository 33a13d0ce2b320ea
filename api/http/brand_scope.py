"""Brand-scoped tokens: the one check, run before every route (docs/brands.md).

A token scoped to a brand reaches only that brand's players:
- a route with `{player_id}` in its path answers 404 for a player of another
  brand; a read of one not registered in any too (only the group sees those),
  while a write to one is decided on the command path, which registers the
  player in the caller's brand;
- the routes in `COMMAND_SCOPED` name their players in the body or through a
  bet: the command path holds the caller to its brand (the scope goes with
  the command, domain/brands/stamping.py), refusing with 404;
- the reports in `BRAND_FILTERED` (P&L, the cashback log, exports) show a
  scoped token its own brand only (`BrandFilter`);
- every other route is the group's: 403. A new route is thus closed to scoped
  tokens until it is listed here (tests/e2e/test_brand_roles.py walks them all).
A group token (no brand) passes. Authentication itself stays with each
route's role check: a missing or bad token is left to it (401).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from api.http.auth import InvalidToken
from api.http.deps import CurrentPrincipal
from domain.brands.model import BRAND_NAME
from domain.kernel.tracing import REQUEST_BRAND

COMMAND_SCOPED = frozenset({
    ("POST", "/v1/bets/place"), ("POST", "/v1/rounds/settle"),
    ("POST", "/v1/bets/{bet_id}/refund"), ("POST", "/v1/bets/{bet_id}/rollback"),
    ("POST", "/v1/admin/adjustments"),
})
# Group-wide reports a scoped token reads filtered to its brand (`BrandFilter`).
BRAND_FILTERED = frozenset({
    ("GET", "/v1/admin/reports/pnl"), ("GET", "/v1/admin/cashback"),
    ("GET", "/v1/audit/events"),
})


async def brand_scope(request: Request) -> None:
    # The header is read here, not through a security scheme, so /openapi.json
    # states no authentication for the routes that have none (/healthz).
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return
    services = request.app.state.services
    try:
        principal = services.tokens.verify(token.strip())
    except InvalidToken:
        return
    if principal.brand is None:
        return
    REQUEST_BRAND.set(principal.brand)
    route = request.scope["route"]
    player_id = request.path_params.get("player_id")
    if player_id is not None:
        brand = services.ledger.brand_of(player_id)
        if brand != principal.brand and (brand is not None or request.method == "GET"):
            raise HTTPException(404, f"no player {player_id!r}")
        return
    if (request.method, route.path) not in COMMAND_SCOPED | BRAND_FILTERED:
        raise HTTPException(403, f"a token of brand {principal.brand!r} may not call "
                                 "this group-wide route")


async def brand_filter(principal: CurrentPrincipal, brand: Annotated[
        str | None, Query(pattern=BRAND_NAME.pattern,
                          description="only this brand's players")] = None) -> str | None:
    """The brand a group-wide report is filtered by: the one asked for, and for a
    token scoped to a brand, always its own (asking for another is a 403)."""
    if principal.brand is not None and brand not in (None, principal.brand):
        raise HTTPException(403, f"a token of brand {principal.brand!r} reads only "
                                 "its own brand")
    return principal.brand or brand


BrandFilter = Annotated[str | None, Depends(brand_filter)]
