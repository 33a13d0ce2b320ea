"""Request dependencies: the services, the caller, role checks, read consistency."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from api.http.schemas.common import PathId
from api.http.auth import InvalidToken, Principal, Role
from domain.kernel.errors import InvalidInput
from projections.engine.reaction import Reaction

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


def admits(*roles: Role):
    """Marks an access check with the roles it may admit, which /openapi.json
    states on every operation that uses it (api/http/contract.py)."""

    def mark(check):
        check.roles = roles
        return check

    return mark


def admit(principal: Principal, roles: tuple[Role, ...]) -> Principal:
    """The one role check, for bearer tokens and console sessions alike."""
    if principal.role not in roles:
        raise HTTPException(403, f"role {principal.role} may not do this")
    return principal


def require(*roles: Role):
    """A dependency that admits only the given roles."""

    @admits(*roles)
    async def check(principal: CurrentPrincipal) -> Principal:
        return admit(principal, roles)

    return Depends(check)


STAFF_READERS = (Role.OPERATOR, Role.FINANCE, Role.COMPLIANCE)


def reader(*staff: Role):
    """An access check: the player the path names reads their own data; `staff` anyone's."""

    @admits(Role.PLAYER, *staff)
    async def check(player_id: PathId, principal: CurrentPrincipal) -> Principal:
        if principal.role == Role.PLAYER and principal.subject == player_id:
            return principal
        if principal.role in staff:
            return principal
        raise HTTPException(403, "a player may read only their own wallet")

    return check


player_reader = reader(*STAFF_READERS)


PlayerReader = Annotated[Principal, Depends(player_reader)]


def own_player(refusal: str = "only the player may do this for their own account"):
    """A dependency that admits only the player the path names (their claims,
    deposit addresses and withdrawals); anyone else gets 403 with `refusal`."""

    @admits(Role.PLAYER)
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


class StaleRead(HTTPException):
    """The views did not reach the position a read needs within the bound."""


def consistent(*names: str):
    """A dependency that makes a read show every write acknowledged before it.

    It reads the log's head once (one indexed query) and waits, bounded by
    CASINO_LEDGER_READ_WAIT_MS, until the views the route reads (`names`;
    default every view and reaction) reach it, or X-Min-Position if that is
    further. Reactions named come first: once they have acted on everything
    up to that position, the views are waited for up to the head again, so
    what the reactions recorded shows too. Waiters are woken when this
    process's follower applies a batch; with the projections in another
    process, they poll briefly. Past the bound the read is refused with 503
    `stale_read`, `Retry-After` and `X-View-Lag`, never answered stale.
    """

    def consistent_read(services: ServicesDep, response: Response,
                        x_min_position: Annotated[int | None, Header(ge=0)] = None) -> None:
        projections = services.projections
        wanted = list(names) or list(projections.views)
        reactions = [n for n in wanted if isinstance(projections.views[n], Reaction)]
        views = [n for n in wanted if n not in reactions]
        bound = services.settings.read_wait_ms / 1000
        deadline = time.monotonic() + bound
        head = projections.head()
        if x_min_position is not None and x_min_position > head:
            # Every acknowledged write is at or below the head: no wait can help.
            raise InvalidInput(f"X-Min-Position: {x_min_position} is past the log's head "
                               f"({head}); send a position a write answered with",
                               field="X-Min-Position")
        target = max(head, x_min_position or 0)
        caught_up = True
        if reactions:
            caught_up = projections.wait(target, bound, reactions)
            if caught_up:
                head = projections.head()
                target = max(head, target)
        if caught_up and views:
            caught_up = projections.wait(target, max(deadline - time.monotonic(), 0), views)
        position = target if caught_up else min(projections.positions(wanted).values())
        lag = max(target - position, 0)
        headers = {"X-View-Position": str(position), "X-Log-Head": str(head),
                   "X-View-Lag": str(lag)}
        if not caught_up:
            stopped = [name for name in wanted if name in projections.errors]
            raise StaleRead(503, (
                f"the views this read needs ({', '.join(wanted)}) are {lag} events behind "
                f"position {target} after {services.settings.read_wait_ms} ms"
                + (f"; stopped: {', '.join(stopped)}" if stopped else "")
                + "; retry the same request"),
                headers={**headers, "Retry-After": "1"})
        response.headers.update(headers)

    return Depends(consistent_read)


ConsistentRead = consistent()


def log_position(response: Response, position: int | None) -> None:
    """Tell a writer where its command is in the log, to send back as X-Min-Position."""
    if position is not None:
        response.headers["X-Log-Position"] = str(position)
