"""The HTTP app factory (FastAPI; OpenAPI at /docs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from api.console.app import mount as mount_console
from api.console.settings import ConsoleSettings
from api.http import contract, errors
from api.http.body_limit import BodyLimit
from api.http.brand_scope import brand_scope
from api.http.providers.hub88.routes import build_router as hub88_router
from api.http.providers.v1 import routes as v1
from api.bootstrap import Services, bootstrap
from api.http.routes import (
    admin,
    admin_audit,
    admin_players,
    audit,
    audit_events,
    bonuses,
    cashback,
    compliance,
    compliance_review,
    deposits,
    fx,
    game_sessions,
    games,
    health,
    jobs,
    kyc_webhook,
    players,
    profiles,
    rakeback,
    reports,
    treasury,
    withdrawals,
)
from api.config.business import load_config
from api.config.settings import Settings
from api.http.schemas.common import ErrorPublic
from api.observability import wiring as observability

# The statuses every route shares follow from what it reads and who may call
# it (api/http/contract.py); these are the ones only a few routes have.
NOT_FOUND: dict[int | str, dict] = {
    404: {"model": ErrorPublic, "description": "No such bet or game"}}


def create_app(services: Services | None = None, *, follow: bool = True,
               schedule: bool = False, console: ConsoleSettings | None = None) -> FastAPI:
    """The app over `services` (built from the environment if None).

    With `follow`, the projections run in a thread of this process; without
    it, another process (`casino-ledger projections run`) keeps them current.
    With `schedule`, the scheduler catches up missed job runs and then runs
    the jobs on their schedule in this process (`serve` asks for it).
    The staff console is under /console (`console`: its settings, default
    from the environment).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or bootstrap()
        if follow:
            app.state.services.projections.start()
        if schedule:
            app.state.services.scheduler.start()
        try:
            yield
        finally:
            app.state.services.scheduler.stop()
            app.state.services.projections.stop()
            if own:
                app.state.services.close()

    settings = services.settings if services is not None else Settings()
    app = FastAPI(title="casino-ledger", version="0.1.0", lifespan=lifespan,
                  description="Event-sourced money core of a crypto casino.",
                  dependencies=[Depends(brand_scope)])
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    observability.install(app, settings)
    errors.install(app)
    routers = (health.router, players.router, admin.router, admin_players.router,
               reports.router, jobs.router, fx.router, rakeback.router, cashback.router,
               bonuses.router, deposits.router, withdrawals.router, treasury.router,
               audit.router, admin_audit.router, audit_events.router, compliance.router,
               compliance_review.router, kyc_webhook.router,
               profiles.router)
    # The providers' wallet routes first: a request is matched against the
    # routes in order, and these take most of the traffic.
    for router in (v1.router, games.router, game_sessions.router):
        app.include_router(router, responses=NOT_FOUND)
    for router in routers:
        app.include_router(router)
    extra = []
    if settings.hub88_public_key is not None:
        extra.append(hub88_router(settings))
        app.include_router(extra[-1])
    # Every route with its methods, for the `Allow` of a 405 (api/http/errors.py).
    app.state.routes = [route for router in (*routers, v1.router, games.router,
                                             game_sessions.router, *extra)
                        for route in router.routes if isinstance(route, APIRoute)]
    mount_console(app, settings.signing_key(), console)
    config = services.config if services is not None else load_config(settings.config)
    contract.declare(app, {"currencies": sorted(config.currencies),
                           "vipLevels": [level.name for level in config.vip.levels],
                           "limitProfiles": sorted(config.compliance.profiles),
                           "brands": sorted(config.companies())})
    return app


def worker_app() -> FastAPI:
    """One of `serve --workers N`'s API processes (a uvicorn app factory).

    It builds its own services (and so its own group-commit writer) from the
    environment; the projections, reactions and scheduler run once, in the
    followers process `serve` starts beside the workers, never here.
    """
    return create_app(follow=False, schedule=False)

