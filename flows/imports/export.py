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
    fields = [c.field for c in COLUMNS[kind]]
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
        row: list[Cell] = []
        for field in fields:
            if field == PROVIDER_NAME and isinstance(record, Facility):
                row.append(names.get(record.provider_id))
            else:
                row.append(_cell(getattr(record, field)))
        yield tuple(row)
