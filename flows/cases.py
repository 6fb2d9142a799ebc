"""Registering a case and taking it off the waiting list (issue 12)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from capacity import Case, CaseEvent, KeepApartReason
from flows.errors import InvalidInputError
from flows.keep_apart import keep_apart_at_intake
from store import DecisionRepository, OrganisationRepository, Repository, audit


def register(
    session: Session,
    draft: Case,
    *,
    today: date,
    by: str,
    keep_apart: Sequence[tuple[str, KeepApartReason]] = (),
) -> Case:
    """Store a new case under the next id of the year (``C-2026-0042``), audited.

    ``draft`` is the validated profile (its id is replaced). Concurrent intakes may draw
    the same id: the caller retries on :class:`~store.DuplicateRecordError`
    (or a database integrity error) in a new transaction. ``keep_apart``: (case id,
    reason) of registered cases it must never share a facility with (issue 14).

    Raises
    ------
    InvalidInputError
        When the intake date lies in the future, the responsible organisation is not on
        the managed list, or a keep-apart case is not registered.
    """
    if draft.intake_date > today:
        raise InvalidInputError("intake_date", f"lies in the future (today is {today})")
    check_organisation(session, draft.responsible_organisation)
    repo = Repository(session)
    case = replace(draft, id=repo.next_case_id(today.year))
    repo.add_case(case)
    audit.record(session, actor=by, action="case.create", record_type="case", record_id=case.id)
    keep_apart_at_intake(session, case.id, list(keep_apart), by=by)
    return case


def check_organisation(session: Session, name: str) -> None:
    """Refuse a responsible organisation that is not on the managed list (issue 14): the
    one rule of the API's intake and of an import of cases.

    Raises
    ------
    InvalidInputError
        When no organisation of exactly this name is on the list.
    """
    if OrganisationRepository(session).find(name) is None:
        # issue 14: "Jan de Vries 06-12345678" (a person and a phone number) was accepted
        raise InvalidInputError(
            "responsible_organisation",
            "is not on the list of organisations (GET /v1/organisations, "
            "opvang organisations list); an organisation, never a person: "
            "an admin adds a missing one",
        )


def withdraw(session: Session, case_id: str, *, by: str) -> Case:
    """Take a waiting or proposed case off the list; its pending proposal expires.

    Raises
    ------
    UnknownReferenceError
        When there is no such case.
    InvalidTransitionError
        When the case is not on the waiting list (a placed case is discharged).
    """
    repo = Repository(session)
    repo.case(case_id)  # unknown: a 404 before anything else
    case = repo.move_case(case_id, CaseEvent.WITHDRAWN)
    DecisionRepository(session).expire_pending([case_id])
    audit.record(session, actor=by, action="case.withdraw", record_type="case", record_id=case_id)
    return case
