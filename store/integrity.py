"""Stored records that break today's rules: what ``opvang db check`` lists.

A rule added to a value object (a date window, a pattern refused in free text) holds for
every new record at once; rows stored before it still hold the old values, and reading
one raises :class:`store.StoredRecordError`. This check finds them all in one pass so an
administrator can correct them before a coordinator meets the error.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import StoredRecordError
from store.mapping import to_case
from store.models import CaseRow


def invalid_records(session: Session) -> list[StoredRecordError]:
    """Every stored case that cannot be read under today's rules, by id.

    Parameters
    ----------
    session
        A unit of work (read only).

    Returns
    -------
    list of StoredRecordError
        One per record, naming the record, the field and the rule.
    """
    found: list[StoredRecordError] = []
    for row in session.scalars(select(CaseRow).order_by(CaseRow.id)):
        try:
            to_case(row)
        except StoredRecordError as exc:
            found.append(exc)
    return found
