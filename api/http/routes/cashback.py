"""Cashback: a player's rows, the back office's cashback log, and the programs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.http.schemas.common import PathId, PeriodQuery, PlayerIdQuery, PositionCursor
from api.http.auth import Role
from api.http.schemas.cashback import (
    CASHBACK_AMOUNTS,
    CashbackPage,
    CashbackProgramPublic,
    CashbackProgramsPublic,
    CashbackRowPublic,
    CashbackStatus,
    CashbackTierPublic,
)
from api.http.brand_scope import BrandFilter
from api.http.deps import ConsistentRead, ServicesDep, consistent, player_reader, position_cursor, require
from api.http.strict_json import StrictJsonRoute
from domain.cashback.rules import CashbackProgram
from domain.ledger import Ledger
from domain.kernel.periods import Period

router = APIRouter(route_class=StrictJsonRoute, prefix="/v1", tags=["cashback"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/players/{player_id}/cashback", response_model=CashbackPage,
            dependencies=[Depends(player_reader), consistent("cashback_plays", "cashback_log")])
def player_rows(player_id: PathId, services: ServicesDep, cursor: PositionCursor = None,
                limit: Limit = 50) -> CashbackPage:
    """The player's cashback rows in the order they were calculated."""
    found = services.cashback_log.rows(player_id=player_id, after=position_cursor(cursor, "rakeback"),
                                       limit=limit)
    return page(services.ledger, found, limit)


@router.get("/admin/cashback", response_model=CashbackPage,
            dependencies=[require(Role.OPERATOR, Role.FINANCE), ConsistentRead])
def log(services: ServicesDep, period: PeriodQuery = None,
        status: CashbackStatus | None = None, program: str | None = None,
        player_id: PlayerIdQuery = None,
        cursor: PositionCursor = None, limit: Limit = 50,
        brand: BrandFilter = None) -> CashbackPage:
    """The cashback log, one row per program, player, currency and period, filtered
    by period (`2026-01-15`, `2026-W03`, `2026-01`), status, program, player and brand."""
    if period is not None:
        Period.parse(period)
    found = services.cashback_log.rows(player_id=player_id, period=period, status=status,
                                       program=program, after=position_cursor(cursor, "rakeback"),
                                       limit=limit, brand=brand)
    return page(services.ledger, found, limit)


@router.get("/admin/cashback/programs", response_model=CashbackProgramsPublic,
            dependencies=[require(Role.OPERATOR, Role.FINANCE)])
def programs(services: ServicesDep) -> CashbackProgramsPublic:
    """The configured programs, their tiers and level map, and the wagering weights."""
    rules = services.ledger.rules.cashback
    return CashbackProgramsPublic(
        programs=[program_public(p, services.jobs) for p in rules.programs.values()],
        wagering_weights=dict(rules.weights), other_weight=rules.other_weight,
        bonus_expiry_days=rules.expiry_days)


def page(ledger: Ledger, found: list[dict[str, Any]], limit: int) -> CashbackPage:
    return CashbackPage(rows=[CashbackRowPublic.model_validate(
        ledger.currencies.at_precision(row, CASHBACK_AMOUNTS)) for row in found],
        next_cursor=str(found[-1]["id"]) if len(found) == limit else None)


def program_public(program: CashbackProgram, jobs: Any) -> CashbackProgramPublic:
    job = f"cashback-{program.name}"
    return CashbackProgramPublic(
        name=program.name, model=program.model, period=program.period,
        categories=None if program.categories is None else sorted(program.categories),
        bonuses_reduce_base=program.bonuses_reduce_base,
        tiers=[CashbackTierPublic(name=name, percent=t.percent, max=t.max_usd,
                                  min=t.min_usd, wagering=t.wagering)
               for name, t in program.tiers.items()],
        levels=dict(program.levels), job=job if job in jobs else None)
