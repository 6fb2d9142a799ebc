"""What is stored, as rows of an import template: an export that imports again (issue 16).

Each row has the template's columns (:data:`flows.imports.columns.COLUMNS`): lists are
written as ``a; b``, enumerations as their codes, and a facility's provider name is
repeated on its row so that the file can be imported into an empty database.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from capacity import Case, Facility, Placement
from capacity.records import plain
from flows.imports.columns import COLUMNS, PROVIDER_NAME, Kind
from flows.spreadsheets import Cell
from store import Repository


def _cell(value: object) -> Cell:
    value = plain(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or None
    return value  # type: ignore[return-value]


def export_rows(session: Session, kind: Kind) -> Iterator[tuple[Cell, ...]]:
    """The stored records of a kind as template rows, in id order.

    Parameters
    ----------
    session
        Where to read.
    kind
        Facilities, cases or placements.

    Yields
    ------
    tuple
        One row's cells, in the template's column order.
    """
    repo = Repository(session)
    records: list[Facility | Case | Placement]
    names: dict[str, str] = {}
    if kind == Kind.FACILITIES:
        records = list(repo.facilities())
        names = {p.id: p.name for p in repo.providers()}
    elif kind == Kind.CASES:
        records = list(repo.cases())
    else:
        records = list(repo.placements())
    for record in sorted(records, key=lambda r: r.id):
        provider = names.get(record.provider_id) if isinstance(record, Facility) else None
        yield template_row(kind, record, provider_name=provider)


def template_row(
    kind: Kind, record: Facility | Case | Placement, *, provider_name: str | None = None
) -> tuple[Cell, ...]:
    """One record as a row of its template (the inverse of reading the row).

    Parameters
    ----------
    kind
        The template.
    record
        The facility, case or placement.
    provider_name
        A facility's provider's name (its own column).

    Returns
    -------
    tuple
        The cells, in the template's column order.
    """
    return tuple(
        provider_name if c.field == PROVIDER_NAME else _cell(getattr(record, c.field))
        for c in COLUMNS[kind]
    )
