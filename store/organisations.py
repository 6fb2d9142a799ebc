"""The managed list of organisations that may hold cases (issue 14).

A case's responsible organisation is taken from this list, never typed as free text
("Jan de Vries 06-12345678" was accepted once: a person and a phone number). Admins keep
the list (``opvang organisations``, ``/v1/organisations``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from capacity.errors import UnknownReferenceError
from store.errors import DuplicateRecordError
from store.models import OrganisationRow
from store.queries import insert_missing


@dataclass(frozen=True, slots=True)
class StoredOrganisation:
    """An organisation on the list."""

    id: int
    name: str
    created_at: datetime | None


def _organisation(row: OrganisationRow) -> StoredOrganisation:
    return StoredOrganisation(row.id, row.name, row.created_at)


class OrganisationRepository:
    """The list of organisations in one session (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, name: str) -> StoredOrganisation:
        """Put an organisation on the list.

        Raises
        ------
        DuplicateRecordError
            When one of that name is on it.
        """
        if self.find(name) is not None:
            raise DuplicateRecordError("organisation", name)
        row = OrganisationRow(name=name)
        self._session.add(row)
        self._session.flush()
        return _organisation(row)

    def ensure(self, names: Iterable[str]) -> int:
        """Put these organisations on the list where missing; how many were added."""
        rows = [{"name": n} for n in sorted(set(names))]
        return insert_missing(self._session, OrganisationRow, rows, key="name")

    def list(self) -> list[StoredOrganisation]:
        """The list, by name."""
        query = select(OrganisationRow).order_by(OrganisationRow.name)
        return [_organisation(r) for r in self._session.scalars(query)]

    def find(self, name: str) -> StoredOrganisation | None:
        """The organisation of exactly this name, if it is on the list."""
        row = self._session.scalars(
            select(OrganisationRow).where(OrganisationRow.name == name)
        ).first()
        return None if row is None else _organisation(row)

    def remove(self, name: str) -> StoredOrganisation:
        """Take an organisation off the list (cases it holds keep its name).

        Raises
        ------
        UnknownReferenceError
            When it is not on the list.
        """
        row = self._session.scalars(
            select(OrganisationRow).where(OrganisationRow.name == name)
        ).first()
        if row is None:
            raise UnknownReferenceError("organisation", name)
        gone = _organisation(row)
        self._session.delete(row)
        self._session.flush()
        return gone
