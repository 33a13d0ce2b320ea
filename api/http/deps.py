"""Request dependencies: the services, the caller, role checks, read consistency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from api.http.schemas.common import PathId
from api.http.auth import InvalidToken, Principal, Role
from domain.kernel.errors import InvalidInput

bearer = HTTPBearer(auto_error=False)


# The CPU-only dependencies are async: FastAPI runs a plain `def` dependency in
# the thread pool, a hop per dependency per request (about a fifth of the
# server's time in the bets benchmark). Anything that waits on I/O stays `def`.


async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_principal(services: ServicesDep, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if credentials is None:
        raise HTTPException(401, "a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return services.tokens.verify(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(401, f"invalid token: {error}",
                            headers={"WWW-Authenticate": "Bearer"}) from error


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role):
    """A dependency that admits only the given roles."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, f"role {principal.role} may not do this")
        return principal

    return Depends(check)


STAFF_READERS = (Role.OPERATOR, Role.FINANCE, Role.COMPLIANCE)


async def player_reader(player_id: PathId, principal: CurrentPrincipal) -> Principal:
    """Players read only their own data; staff read anyone's."""
    if principal.role == Role.PLAYER and principal.subject == player_id:
        return principal
    if principal.role in STAFF_READERS:
        return principal
    raise HTTPException(403, "a player may read only their own wallet")


PlayerReader = Annotated[Principal, Depends(player_reader)]


def own_player(refusal: str = "only the player may do this for their own account"):
    """A dependency that admits only the player the path names (their claims,
    deposit addresses and withdrawals); anyone else gets 403 with `refusal`."""

    async def check(player_id: PathId, principal: CurrentPrincipal) -> Principal:
        if principal.role == Role.PLAYER and principal.subject == player_id:
            return principal
        raise HTTPException(403, refusal)

    return Depends(check)


OwnPlayer = Annotated[Principal, own_player()]


def position_cursor(cursor: str | None, what: str) -> int | None:
    """A page cursor that is a log position (`what` names the list in errors)."""
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()):
        raise InvalidInput(f"cursor: {cursor!r} is not a{'n' if what[0] in 'aeiou' else ''} "
                           f"{what} cursor", field="cursor")
    return int(cursor)


def ledger_cursor(cursor: str | None) -> tuple[int, int] | None:
    """A page cursor `position-leg` (ledger entries and bets)."""
    if cursor is None:
        return None
    try:
        position, leg = (int(part) for part in cursor.split("-"))
    except ValueError:
        raise InvalidInput(f"cursor: {cursor!r} is not a ledger cursor",
                           field="cursor") from None
    return position, leg


def consistent_read(services: ServicesDep, response: Response,
                    x_min_position: Annotated[int | None, Header()] = None) -> None:
    """Wait (bounded) until the views reflect X-Min-Position, and say how far they are."""
    projections = services.projections
    if x_min_position:
        projections.wait(x_min_position, services.settings.read_wait_ms / 1000)
    position = min(view.position() for view in projections.views.values())
    head = projections.head()
    response.headers["X-View-Position"] = str(position)
    response.headers["X-Log-Head"] = str(head)
    response.headers["X-View-Lag"] = str(max(head - position, 0))


ConsistentRead = Depends(consistent_read)


def log_position(response: Response, position: int | None) -> None:
    """Tell a writer where its command is in the log, to send back as X-Min-Position."""
    if position is not None:
        response.headers["X-Log-Position"] = str(position)
