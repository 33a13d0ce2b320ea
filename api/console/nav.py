"""The console's pages and the roles that may open each, as the HTTP API admits them.

The roles come from the API's own checks where a route names them, so a page
and the API behind it never disagree; a page a role may not open is neither
shown in its menu nor served to it (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.http.auth import Role
from api.http.deps import STAFF_READERS
from api.http.routes import audit_events, treasury, withdrawals

F, O, C, R = Role.FINANCE, Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    roles: tuple[Role, ...]


PLAYERS = Page("/console/players", "Players", STAFF_READERS)
WITHDRAWALS = Page("/console/withdrawals", "Withdrawals", (F, O, C))
TREASURY = Page("/console/treasury", "Treasury", treasury.READERS)
PNL = Page("/console/pnl", "P&L", (O, F))
CASHBACK = Page("/console/cashback", "Cashback", (O, F))
JOBS = Page("/console/jobs", "Jobs", (O,))
GAMES = Page("/console/games", "Games & FX", (O, F))
AUDIT = Page("/console/audit", "Audit", audit_events.AUDITORS)
PAGES = (PLAYERS, WITHDRAWALS, TREASURY, PNL, CASHBACK, JOBS, GAMES, AUDIT)

# Who may act, beside who may look (the API's checks, reused).
ADJUST = (F,)
LIMITS = (C,)
DECIDE = withdrawals.ROLES
RECONCILE = (F,)
SET_GAME = (O,)
SET_FX = (F,)
REPLAY = (C,)


def visible(role: Role) -> list[Page]:
    return [page for page in PAGES if role in page.roles]
