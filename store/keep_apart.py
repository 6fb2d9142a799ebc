"""Keep-apart pairs as stored (issue 14): two case ids, a reason code, who and when."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from capacity.errors import UnknownReferenceError
from capacity.keep_apart import KeepApart
from store.errors import DuplicateRecordError
from store.mapping import read_row
from store.models import CaseRow, KeepApartRow


def to_pair(row: KeepApartRow) -> KeepApart:
    """The pair a row describes (a reason this version no longer knows: a
    :class:`~store.StoredRecordError` naming it)."""
    return read_row("keep-apart pair", KeepApart, row)


class KeepApartRepository:
    """Keep-apart pairs in one session (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, pair: KeepApart) -> KeepApart:
        """Store a pair.

        Raises
        ------
        UnknownReferenceError
            When a case of the pair does not exist.
        DuplicateRecordError
            When the pair is already stored (in either order).
        """
        for case_id in pair.pair:
            if self._session.get(CaseRow, case_id) is None:
                raise UnknownReferenceError("case", case_id)
        if self._row(pair.case_a, pair.case_b) is not None:
            raise DuplicateRecordError("keep-apart pair", f"{pair.case_a} / {pair.case_b}")
        row = KeepApartRow(
            case_a=pair.case_a,
            case_b=pair.case_b,
            reason=pair.reason.value,
            created_by=pair.created_by,
        )
        self._session.add(row)
        self._session.flush()
        return to_pair(row)

    def remove(self, one: str, other: str) -> str:
        """Delete a pair (either order), whatever its stored reason.

        Returns the reason's code as stored: one this version may no longer know, since
        lifting a pair and setting it again with a reason of today's list is how such a
        pair is corrected (reading it raises).

        Raises
        ------
        UnknownReferenceError
            When no such pair is stored.
        """
        a, b = sorted((one, other))
        row = self._row(a, b)
        if row is None:
            raise UnknownReferenceError("keep-apart pair", f"{a} / {b}")
        reason = row.reason
        self._session.delete(row)
        self._session.flush()
        return reason

    def pairs(self, case_id: str | None = None) -> list[KeepApart]:
        """Every pair, or those of one case, oldest first."""
        query = select(KeepApartRow).order_by(KeepApartRow.id)
        if case_id is not None:
            query = query.where(or_(KeepApartRow.case_a == case_id, KeepApartRow.case_b == case_id))
        return [to_pair(r) for r in self._session.scalars(query)]

    def _row(self, a: str, b: str) -> KeepApartRow | None:
        query = select(KeepApartRow).where(KeepApartRow.case_a == a, KeepApartRow.case_b == b)
        return self._session.scalars(query).first()
