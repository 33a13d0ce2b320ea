"""The console's first page: the pages this staff member's role may open."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console.web import Staff, render, signed_in

router = APIRouter()


@router.get("/")
def home(request: Request, staff: Staff = Depends(signed_in)) -> Response:
    return render(request, "home.html", staff)
