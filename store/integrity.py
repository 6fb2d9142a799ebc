"""Stored records that break today's rules: what ``opvang db check`` lists.

A rule added to a value object (a date window, a pattern refused in free text, a bound on
a facility's cost or coordinates) holds for every new record at once; rows stored before
it still hold the old values, and reading one raises :class:`store.StoredRecordError`.
:func:`invalid_records` finds them all in one pass so an administrator can correct them
before a coordinator meets the error; :func:`facilities_or_broken` reads facilities
without failing on one, for the import that corrects it. The rules themselves are the
value objects' own (:class:`capacity.Case`, :class:`capacity.Facility`,
:class:`capacity.Placement`, :class:`capacity.AvailabilityReport`), and each row is
read by the function every other read uses (:func:`store.mapping.stored`): nothing here
repeats them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from capacity.facilities import Facility
from store.decisions import to_proposal, to_run
from store.errors import StoredRecordError
from store.keep_apart import to_pair
from store.mapping import (
    facility_columns,
    to_case,
    to_facility,
    to_funding_stream,
    to_placement,
    to_report,
)
from store.models import (
    AvailabilityReportRow,
    CaseRow,
    FacilityRow,
    FundingStreamRow,
    KeepApartRow,
    MatchingRunRow,
    PlacementRow,
    ProposalRow,
)

Row = TypeVar("Row")
Record = TypeVar("Record")

CHECKED: tuple[tuple[Any, Callable[[Any], object]], ...] = (
    (FundingStreamRow, to_funding_stream),
    (FacilityRow, to_facility),
    (AvailabilityReportRow, to_report),
    (CaseRow, to_case),
    (PlacementRow, to_placement),
    (KeepApartRow, to_pair),
    (MatchingRunRow, to_run),  # its wait records' codes
    (ProposalRow, to_proposal),
)
"""The stored kinds ``opvang db check`` reads, each row by the reader every other read uses."""


@dataclass(frozen=True, slots=True)
class BrokenRecord:
    """A stored row that breaks a rule made after it was stored, kept apart from the
    records that can be read: an import compares its corrected record with it.

    Parameters
    ----------
    error
        Which rules it breaks (the record, and the field and reason of each).
    values
        Its values as stored, by field name (plain values, unchecked).
    """

    error: StoredRecordError
    values: Mapping[str, Any]


def invalid_records(session: Session) -> list[StoredRecordError]:
    """Every stored record that cannot be read under today's rules, by id.

    Parameters
    ----------
    session
        A unit of work (read only).

    Returns
    -------
    list of StoredRecordError
        One per record, in the order of :data:`CHECKED` (funding streams first, proposals
        last) and by id within a kind, naming the record and the field and rule of every
        rule it breaks.
    """
    return [
        record
        for model, read in CHECKED
        for _, record in _read_each(session.scalars(_in_batches(model)), read)
        if isinstance(record, StoredRecordError)
    ]


CHECK_BATCH_ROWS = 1000  # rows held at once: the availability ledger grows by every report


def _in_batches(model: Any) -> Select[Any]:
    """Every row of ``model`` by id, fetched a batch at a time (not all in memory)."""
    return select(model).order_by(model.id).execution_options(yield_per=CHECK_BATCH_ROWS)


def _read_each(
    rows: Iterable[Row], read: Callable[[Row], Record]
) -> Iterator[tuple[Row, Record | StoredRecordError]]:
    """Each row with its record, or the :class:`StoredRecordError` reading it raised."""
    for row in rows:
        try:
            yield row, read(row)
        except StoredRecordError as exc:
            yield row, exc


def facilities_or_broken(session: Session) -> dict[str, Facility | BrokenRecord]:
    """Every stored facility by id; one that breaks a rule made after it was stored is a
    :class:`BrokenRecord` instead of an error, so that an import can correct it.

    Parameters
    ----------
    session
        A unit of work (read only).

    Returns
    -------
    dict
        The facility, or the broken record, of each id.
    """
    rows = session.scalars(select(FacilityRow).order_by(FacilityRow.id))
    return {
        row.id: BrokenRecord(read, facility_columns(row))
        if isinstance(read, StoredRecordError)
        else read
        for row, read in _read_each(rows, to_facility)
    }
