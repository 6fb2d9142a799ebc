"""Mapping between database rows and the frozen value objects of :mod:`capacity`.

Rows store enumerations as their codes, sets as sorted JSON lists and tuples as JSON
lists in order; reading a row back builds the value object again, so a stored object
goes through the same validation as a new one. Every ``*_values`` function returns the
column values of one row, checked against the column lengths first (SQLite does not
enforce them, PostgreSQL refuses with an error the user cannot read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import String

from capacity.availability import AvailabilityReport, Placement
from capacity.cases import (
    Case,
)
from capacity.errors import InvalidFieldError, InvalidSupplyError, refuse
from capacity.facilities import Facility, Provider
from capacity.funding import FundingStream
from capacity.records import field_names, from_plain, to_plain
from capacity.regions import Region
from store.errors import StoredRecordError
from store.models import (
    AvailabilityReportRow,
    Base,
    CaseRow,
    FacilityRow,
    FundingStreamRow,
    PlacementRow,
    ProviderRow,
    RegionRow,
)

Values = dict[str, Any]
Record = TypeVar("Record")
Item = TypeVar("Item")


def _codes(items: Iterable[str]) -> list[str]:
    """Sorted codes of a set of enumeration members or strings (stable JSON)."""
    return sorted(str(item) for item in items)


def checked(model: type[Base], values: Values) -> Values:
    """Check string values against the column lengths of a model.

    Parameters
    ----------
    model
        The row class the values are for.
    values
        Column values.

    Returns
    -------
    dict
        The same values.

    Raises
    ------
    InvalidFieldError
        When a text is longer than its column allows.
    """
    table = Base.metadata.tables[model.__tablename__]
    for name, value in values.items():
        column_type = table.columns[name].type
        length = column_type.length if isinstance(column_type, String) else None
        if isinstance(value, str) and length is not None and len(value) > length:
            raise InvalidFieldError(f"{table.name}.{name}", f"at most {length} characters")
    return values


def region_values(region: Region) -> Values:
    """Column values of a region row."""
    return checked(
        RegionRow,
        {
            "id": region.id,
            "name": region.name,
            "province": region.province,
            "lat": region.lat,
            "lon": region.lon,
            "police_unit": region.police_unit,
        },
    )


def to_region(row: RegionRow) -> Region:
    """The region a row describes."""
    return Region(row.id, row.name, row.province, row.lat, row.lon, row.police_unit)


def provider_values(provider: Provider) -> Values:
    """Column values of a provider row."""
    return checked(ProviderRow, {"id": provider.id, "name": provider.name})


def to_provider(row: ProviderRow) -> Provider:
    """The provider a row describes."""
    return Provider(id=row.id, name=row.name)


def funding_stream_values(stream: FundingStream) -> Values:
    """Column values of a funding-stream row."""
    return checked(
        FundingStreamRow,
        {
            "id": stream.id,
            "name": stream.name,
            "payer": stream.payer,
            "placement_types": _codes(stream.placement_types),
            "case_categories": _codes(stream.case_categories),
            "region_id": stream.region_id,
            "budget_per_period": stream.budget_per_period,
            "period": stream.period,
        },
    )


def to_funding_stream(row: FundingStreamRow) -> FundingStream:
    """The funding stream a row describes.

    Raises
    ------
    StoredRecordError
        When the row holds a placement type this version no longer knows (or breaks
        another rule of :class:`capacity.FundingStream`), naming each field.
    """
    return read_row("funding stream", FundingStream, row, prefix="funding_stream.")


FACILITY_FIELDS = field_names(Facility)


def facility_values(facility: Facility) -> Values:
    """Column values of a facility row: its fields as plain values (:mod:`capacity.records`)."""
    return checked(FacilityRow, to_plain(facility))


def facility_columns(row: FacilityRow) -> Values:
    """A facility row's values as stored, by field name (plain values, unchecked)."""
    return {name: getattr(row, name) for name in FACILITY_FIELDS}


def to_facility(row: FacilityRow) -> Facility:
    """The facility a row describes.

    Raises
    ------
    StoredRecordError
        When the row breaks rules of :class:`capacity.Facility` made after it was stored
        (a cost per bed day or coordinates outside today's bounds), naming each.
    """
    return read_row("facility", Facility, row, prefix="facility.")


def case_values(case: Case) -> Values:
    """Column values of a case row (without the server-set timestamps)."""
    return checked(CaseRow, to_plain(case))


def to_case(row: CaseRow) -> Case:
    """The case a row describes.

    Raises
    ------
    StoredRecordError
        When the row breaks rules of :class:`capacity.Case` made after it was stored,
        naming each.
    """
    return read_row("case", Case, row)


def read_row(kind: str, cls: type[Record], row: Any, *, prefix: str = "", **values: Any) -> Record:
    """The record of type ``cls`` that a stored row describes, read by :func:`from_plain`.

    The row's columns named as ``cls``'s fields are its values, ``values`` in place of
    some (a list of records stored as JSON, read first; a field whose column has another
    name, as a report's ``received_at``). An unknown code is named with
    its field as every rule the record breaks is (:func:`stored`).

    Raises
    ------
    StoredRecordError
        When ``cls`` refuses a field, naming ``kind``, the row's id and each field.
    """
    names = field_names(cls)
    plain = {name: values[name] if name in values else getattr(row, name) for name in names}
    return stored(kind, row.id, partial(from_plain, cls, plain), prefix=prefix)


def stored(
    kind: str, identifier: str | int, read: Callable[[], Record], *, prefix: str = ""
) -> Record:
    """The record ``read`` makes of a stored row, whose refusal names the row.

    Every kind of stored record is read through here (a case, a facility, a placement, an
    availability report, a proposal, a keep-apart pair, a matching run's wait records), so
    that ``opvang db check`` and every read name a broken row the same way.

    Raises
    ------
    StoredRecordError
        When the value object refuses a field (a rule made after the row was stored, a
        code this version no longer knows), naming ``kind``, ``identifier`` and each field
        (without the ``prefix`` its value object puts before it, as ``facility.``).
    """
    try:
        return read()
    except InvalidFieldError as exc:
        broken = [(e.field.removeprefix(prefix), e.reason) for e in (exc, *exc.others)]
        raise StoredRecordError(kind, str(identifier), broken) from None


def each_item(
    field: str, items: Iterable[Item], read: Callable[[Item], Record]
) -> tuple[Record, ...]:
    """``read`` of every item of a row's stored list (a run's wait records).

    Raises
    ------
    InvalidFieldError
        Naming every field of every item that ``read`` refuses, as ``field[i].name``, in
        one pass (:func:`capacity.errors.refuse`).
    """
    records: list[Record] = []
    refused: list[InvalidFieldError] = []
    for i, item in enumerate(items):
        try:
            records.append(read(item))
        except InvalidFieldError as exc:
            for e in (exc, *exc.others):
                refused.append(InvalidFieldError(f"{field}[{i}].{e.field}", e.reason))
    refuse(refused)
    return tuple(records)


def placement_values(placement: Placement) -> Values:
    """Column values of a placement row.

    Raises
    ------
    InvalidSupplyError
        When ``recorded_at`` has no timezone (the domain object does not check it).
    """
    if placement.recorded_at is not None and placement.recorded_at.tzinfo is None:
        raise InvalidSupplyError("placement.recorded_at", "must carry a timezone")
    return checked(
        PlacementRow,
        {
            "id": placement.id,
            "case_id": placement.case_id,
            "facility_id": placement.facility_id,
            "beds": placement.beds,
            "start": placement.start,
            "expected_end": placement.expected_end,
            "actual_end": placement.actual_end,
            "recorded_at": placement.recorded_at,
        },
    )


def to_placement(row: PlacementRow) -> Placement:
    """The placement a row describes.

    Raises
    ------
    StoredRecordError
        When the row breaks rules of :class:`capacity.Placement` made after it was stored
        (beds, the order of its days), naming each.
    """
    return read_row("placement", Placement, row, prefix="placement.")


def derived_idempotency_key(report: AvailabilityReport) -> str:
    """A key for a report that came without one: the same count twice is one report.

    Parameters
    ----------
    report
        The report.

    Returns
    -------
    str
        ``"derived-"`` and a SHA-256 of facility, moment (in UTC) and beds free.
    """
    moment = report.as_of.astimezone(UTC).isoformat()
    digest = hashlib.sha256(f"{report.facility_id}|{moment}|{report.beds_free}".encode())
    return f"derived-{digest.hexdigest()}"


def report_values(
    report: AvailabilityReport, *, idempotency_key: str | None, beds_free_counted: int | None = None
) -> Values:
    """Column values of a ledger row.

    ``recorded_at`` is the report's ``received_at`` when it has one (the server's clock,
    the one placements are recorded by), else the database's time; ``effective_at`` is
    :attr:`~capacity.availability.AvailabilityReport.counts_from`; ``beds_free_counted``
    defaults to ``beds_free``.
    """
    values: Values = {
        "facility_id": report.facility_id,
        "beds_free": report.beds_free,
        "as_of": report.as_of,
        "reporter": report.reporter,
        "idempotency_key": idempotency_key,
        "effective_at": report.counts_from,
        "beds_free_counted": report.beds_free if beds_free_counted is None else beds_free_counted,
    }
    if report.received_at is not None:
        values["recorded_at"] = report.received_at
    return checked(AvailabilityReportRow, values)


def to_report(row: AvailabilityReportRow) -> AvailabilityReport:
    """The availability report a ledger row holds (``as_of`` in UTC).

    Raises
    ------
    StoredRecordError
        When the row breaks rules of :class:`capacity.AvailabilityReport` made after it
        was stored (free beds below zero, no reporter), naming each.
    """
    return read_row(REPORT_KIND, AvailabilityReport, row, received_at=row.recorded_at)


REPORT_KIND = "availability report"  # as a broken stored report is named


def stored_report(row_id: int, *values: Any) -> AvailabilityReport:
    """The report a ledger row read by plain SQL holds (the hot paths' replay of a key).

    ``values`` are :class:`capacity.AvailabilityReport`'s fields in order; a row that
    breaks its rules is a :class:`StoredRecordError` naming it, as :func:`to_report`'s.
    """
    return stored(REPORT_KIND, row_id, partial(AvailabilityReport, *values))


def same_report(a: AvailabilityReport, b: AvailabilityReport) -> bool:
    """Whether two reports say the same (a retry), ignoring the time zone of ``as_of``."""
    return (
        a.facility_id == b.facility_id
        and a.beds_free == b.beds_free
        and a.as_of == b.as_of
        and a.reporter == b.reporter
    )
