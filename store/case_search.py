"""Finding cases for the coordinators' desk: filter, order and page in SQL (issue 14).

The orders here are the ones SQL can give (intake date, case id); the rulebook's priority
(class weight x urgency x ageing) is computed in Python by :mod:`flows.waiting_list`.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from capacity.cases import Case, CaseStatus
from store import mapping as m
from store.models import CaseRow


class CaseOrder(StrEnum):
    """Orders SQL can give."""

    LONGEST_WAIT = "longest_wait"  # intake date, oldest first; then case id
    CASE_ID = "case_id"


def status_in(statuses: Collection[CaseStatus]) -> ColumnElement[bool]:
    """Cases of these statuses, and every case whose stored status this version does not
    know.

    Such a case may be waiting: left out by the filter it dropped off the waiting list and
    out of every round without a word. Kept in, reading it names it (a
    :class:`~store.StoredRecordError`, the 500 that the list of every case and the case
    itself answer), until an administrator corrects it (``opvang db check``).
    """
    wanted = sorted(CaseStatus(s).value for s in statuses)
    return or_(CaseRow.status.in_(wanted), CaseRow.status.not_in([s.value for s in CaseStatus]))


def _where(
    statuses: Collection[CaseStatus] | None, region: str | None, id_contains: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if statuses is not None:
        where.append(status_in(statuses))
    if region is not None:
        where.append(CaseRow.region_signalled == region)
    if id_contains:
        escaped = id_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.upper(CaseRow.id).like(f"%{escaped.upper()}%", escape="\\"))
    return where


def find_cases(
    session: Session,
    *,
    statuses: Collection[CaseStatus] | None = None,
    region: str | None = None,
    id_contains: str | None = None,
    order: CaseOrder = CaseOrder.LONGEST_WAIT,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """Cases that match, in ``order``, one page of them, and how many match in all.

    Parameters
    ----------
    session
        Where to read.
    statuses
        Only cases of these statuses (``None``: all).
    region
        Only cases signalled in this region.
    id_contains
        Only cases whose id contains this text (any case).
    order
        The order of the page.
    limit, offset
        The page (``limit`` ``None``: every case from ``offset``).
    """
    where = _where(statuses, region, id_contains)
    total = session.scalar(select(func.count()).select_from(CaseRow).where(*where)) or 0
    keys = (CaseRow.intake_date, CaseRow.id) if order is CaseOrder.LONGEST_WAIT else (CaseRow.id,)
    query = select(CaseRow).where(*where).order_by(*keys).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [m.to_case(row) for row in session.scalars(query)], total
