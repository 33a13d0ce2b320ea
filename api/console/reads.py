"""How console pages read: the API's own route functions, after the views catch up.

A page shows everything acknowledged before it was asked for (an action's
result shows on the next page load), waiting for the views as the API's
consistent reads do, within the same bound; a page that cannot be current
says so instead of showing stale figures.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.bootstrap import Services
from api.console.web import Refused


def current(services: Services) -> None:
    projections = services.projections
    if not projections.wait(projections.head(), services.settings.read_wait_ms / 1000):
        raise Refused(None, "the views are behind the log right now; reload in a moment",
                      status=503)


def dumped(model: BaseModel) -> dict[str, Any]:
    """A public schema as the API sends it (camelCase, amounts as text)."""
    return model.model_dump(mode="json", by_alias=True)


def paged(rows: list, number: int, size: int = 25) -> dict[str, Any]:
    """One page of a list the API answers whole (at most its limit of rows)."""
    number = max(number, 1)
    shown = rows[(number - 1) * size:number * size]
    return {"rows": shown, "page": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if len(rows) > number * size else None}
