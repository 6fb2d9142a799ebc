"""The capacity page's map as a PNG (issue 15: every chart of the policymakers' pages as
PNG; its figures as CSV are ``/exports/capacity-regions.csv``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import DatabaseDep, NowDep, RulebookDep
from api.web.capacity_files import map_png
from api.web.capacity_view import capacity_view
from api.web.pages import POLICYMAKERS

router = APIRouter()


@router.get("/capacity/map.png", dependencies=POLICYMAKERS)
def capacity_map(db: DatabaseDep, now: NowDep, rulebook: RulebookDep) -> Response:
    """The map of the 35 regions: beds, occupancy and short of beds, as on the page."""
    view = capacity_view(db, now=now, rulebook=rulebook)
    disposition = 'inline; filename="capacity-map.png"'
    return Response(
        map_png(view), media_type="image/png", headers={"Content-Disposition": disposition}
    )
