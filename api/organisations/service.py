"""Organisations: list, add and remove (admins), audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.database import Database
from api.organisations.schemas import OrganisationCreate, OrganisationPublic, OrganisationsPublic
from capacity import UnknownReferenceError
from store import OrganisationRepository, StoredOrganisation, audit


def public(org: StoredOrganisation) -> OrganisationPublic:
    return OrganisationPublic(id=org.id, name=org.name, created_at=org.created_at)


def list_(db: Database) -> OrganisationsPublic:
    """The list, by name."""
    with db.unit() as session:
        data = [public(o) for o in OrganisationRepository(session).list()]
    return OrganisationsPublic(data=data, count=len(data))


def create(session: Session, *, new: OrganisationCreate, actor: str) -> OrganisationPublic:
    """Put an organisation on the list (409 when it is on it)."""
    org = OrganisationRepository(session).add(new.name)
    audit.record(
        session,
        actor=actor,
        action="organisation.create",
        record_type="organisation",
        record_id=str(org.id),
        detail={"name": org.name},
    )
    return public(org)


def delete(
    session: Session, *, name: str | None = None, org_id: int | None = None, actor: str
) -> OrganisationPublic:
    """Take an organisation off the list by name or id (404 when it is not on it)."""
    repo = OrganisationRepository(session)
    if name is None:
        found = next((o for o in repo.list() if o.id == org_id), None)
        if found is None:
            raise UnknownReferenceError("organisation", str(org_id))
        name = found.name
    gone = repo.remove(name)
    audit.record(
        session,
        actor=actor,
        action="organisation.remove",
        record_type="organisation",
        record_id=str(gone.id),
        detail={"name": gone.name},
    )
    return public(gone)
