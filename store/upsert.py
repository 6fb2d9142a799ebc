"""Storing a record that may exist already: the import's write (issue 16).

An imported table holds records a region keeps elsewhere; importing it again must add
nothing and change only what changed. :func:`upsert` stores a provider, facility, case or
placement by its id: a new row, or the existing row's columns set to the new values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from capacity.availability import Placement
from capacity.cases import Case
from capacity.facilities import Facility, Provider
from store import mapping as m
from store.models import Base, CaseRow, FacilityRow, PlacementRow, ProviderRow

Stored = Provider | Facility | Case | Placement

_TABLES: dict[type[Any], tuple[type[Base], Callable[[Any], dict[str, Any]]]] = {
    Provider: (ProviderRow, m.provider_values),
    Facility: (FacilityRow, m.facility_values),
    Case: (CaseRow, m.case_values),
    Placement: (PlacementRow, m.placement_values),
}


def upsert(session: Session, record: Stored) -> bool:
    """Store a record by its id: insert it, or update the row that has its id.

    A case's ``updated_at`` is set when it changes. A placement without ``recorded_at``
    is stored without one (the supply snapshot compares it with the reports by its start
    day: an imported placement is a stay that began then, not a booking made now), and
    keeps the stamp it has when it exists.

    Parameters
    ----------
    session
        The unit of work (flushed, never committed).
    record
        The provider, facility, case or placement.

    Returns
    -------
    bool
        True when the row is new.
    """
    model, values_of = _TABLES[type(record)]
    values = values_of(record)
    row = session.get(model, record.id)
    if row is None:
        session.add(model(**values))
        session.flush()
        return True
    if isinstance(record, Placement) and values["recorded_at"] is None:
        del values["recorded_at"]
    for name, value in values.items():
        setattr(row, name, value)
    if isinstance(row, CaseRow):
        row.updated_at = datetime.now(UTC)
    session.flush()
    return False
