"""What the coordinators' pages show: the waiting list, a case, the intake form.

Every read and write goes through the API's own services (:mod:`api.cases.service`,
:mod:`api.proposals.service`), so the pages order, validate, audit and re-check beds
exactly as ``/v1`` does; this module only gathers what a page needs besides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.datastructures import FormData

from api.cases import service as cases
from api.cases.schemas import (
    SEARCH_MAX_LENGTH,
    SEARCH_PATTERN,
    CaseCreate,
    CaseListItem,
    CasePublic,
)
from api.database import Database
from api.errors import FieldError
from api.proposals import service as proposals
from api.proposals.schemas import ProposalPublic
from api.unit_of_work import write
from api.web.forms import FieldErrors, api_errors, text, texts, validation_errors, whole_number
from capacity import (
    CATALOGUE,
    REGIONS,
    WAITING_LIST,
    ExploitationType,
    Facility,
    Gender,
    InvalidFieldError,
    Need,
    Placement,
    PlacementType,
    ResidenceStatus,
    Rulebook,
    SafetyRisk,
    UnknownReferenceError,
    sorted_regions,
)
from capacity.clock import local_date
from capacity.criteria.labels import GENDER_LABELS, NEED_LABELS, RESIDENCE_LABELS
from capacity.regions import region_ids
from flows import InvalidInputError, TimelineEvent, WaitingOrder, case_timeline
from store import Repository, find_cases
from store.service import StoredUser

PAGE_SIZE = 50  # lines of the waiting list per page
CASE_ID = re.compile(r"C-\d{4}-\d{4,}")
ON_THE_LIST = WAITING_LIST
INTAKE_CHOICES: dict[str, list[tuple[str, str]]] = {
    "gender": [(g.value, GENDER_LABELS[g]) for g in Gender],
    "residence_status": [(r.value, RESIDENCE_LABELS[r]) for r in ResidenceStatus],
    "exploitation_type": [(e.value, e.value) for e in ExploitationType],
    "safety_risk": [(s.value, s.value) for s in SafetyRisk],
    "needs": [(n.value, NEED_LABELS[n]) for n in Need],
    "regions": [(r.id, r.name) for r in sorted_regions()],
}
LABELS: dict[str, dict[str, str]] = {
    name: dict(INTAKE_CHOICES[name]) for name in ("gender", "residence_status", "needs")
}
"""Words for the codes a case page shows."""
INTAKE_DEFAULTS: dict[str, Any] = {
    "age": "",
    "gender": "",
    "residence_status": "",
    "exploitation_type": "",
    "region_signalled": "",
    "region_of_exploitation": "",
    "responsible_organisation": "",
    "accompanying_children": "0",
    "needs": [],
    "safety_risk": "low",
    "interpreter_language": "",
    "preferred_regions": [],
    "unaccompanied": False,
    "intake_date": "",
}


def type_name(code: str) -> str:
    """A placement type's English name (the glossary's)."""
    try:
        return CATALOGUE[PlacementType(code)].name
    except ValueError:
        return code


def region_name(region_id: str) -> str:
    return next((r.name for r in REGIONS if r.id == region_id), region_id)


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """A line of the waiting list, with the proposed facility's name."""

    item: CaseListItem
    facility: str | None


@dataclass(frozen=True, slots=True)
class WaitingPage:
    """One page of the waiting list and how many cases match in all."""

    lines: list[WaitingLine]
    total: int
    offset: int


def waiting_list(
    db: Database,
    *,
    user: StoredUser,
    region: str | None,
    complexity: str | None,
    search: str | None,
    sort: WaitingOrder,
    offset: int,
    now: datetime,
    rulebook: Rulebook,
) -> WaitingPage:
    """Waiting and proposed cases, one page in the API's order (and audit)."""
    found = cases.list_(
        db,
        status=None,
        statuses=ON_THE_LIST,
        region=region,
        complexity=complexity,
        search=search,
        sort=sort,
        limit=PAGE_SIZE,
        offset=offset,
        user=user,
        now=now,
        rulebook=rulebook,
    )
    with db.unit() as session:
        names = {f.id: f.name for f in Repository(session).facilities()}
    lines = [
        WaitingLine(i, names.get(i.proposed_facility_id or "", i.proposed_facility_id))
        for i in found.data
    ]
    return WaitingPage(lines, found.count, offset)


ORDERS = [
    (WaitingOrder.PRIORITY.value, "priority (weight, then longest wait)"),
    (WaitingOrder.LONGEST_WAIT.value, "longest wait"),
    (WaitingOrder.CASE_ID.value, "case id"),
]
MAX_PAGE = 10_000


def list_errors(*, region: str, complexity: str, search: str, classes: list[str]) -> FieldErrors:
    """The waiting list's filters, checked as ``GET /v1/cases`` checks them, in words."""
    errors: FieldErrors = {}
    if region and region not in region_ids():
        errors["region"] = f"unknown region {region!r}"
    if complexity and complexity not in classes:
        errors["complexity"] = f"must be one of: {', '.join(classes)}"
    if len(search) > SEARCH_MAX_LENGTH or not re.fullmatch(SEARCH_PATTERN, search):
        errors["search"] = (
            f"Type a case id or part of one (letters, digits and hyphens, at most "
            f"{SEARCH_MAX_LENGTH} characters), e.g. C-2026-0157 or 0157."
        )
    return errors


def list_link(filters: dict[str, str], **changes: object) -> str:
    """The waiting list's address with its filters, order and page (changed as asked)."""
    wanted = {**filters, **{k: str(v) for k, v in changes.items()}}
    if wanted.get("page") == "1":
        del wanted["page"]
    return "/waiting-list?" + urlencode({k: v for k, v in wanted.items() if v})


def exact_case(db: Database, search: str) -> str | None:
    """The id of the case a search names exactly (any status), else ``None``."""
    wanted = search.strip().upper()
    if not CASE_ID.fullmatch(wanted):
        return None
    with db.unit() as session:
        found, _ = find_cases(session, id_contains=wanted, limit=2)
    return next((c.id for c in found if c.id == wanted), None)


@dataclass(frozen=True, slots=True)
class CasePage:
    """A case record, its pending proposal and its placement, with facility facts."""

    case: CasePublic
    proposal: ProposalPublic | None
    placement: Placement | None
    facilities: dict[str, Facility]
    timeline: list[TimelineEvent]

    @property
    def unmet_preferences(self) -> str:
        """The proposal's unmet preferences (its criteria are listed apart: shown once)."""
        if self.proposal is None:
            return ""
        return self.proposal.explanation.partition("Not met (preferences): ")[2]


def case_page(
    db: Database, *, case_id: str, user: StoredUser, now: datetime, rulebook: Rulebook
) -> CasePage:
    """Everything the case page shows (reading the case and its proposal is audited)."""
    case = cases.get(db, case_id=case_id, user=user, now=now, rulebook=rulebook)
    proposal = (
        proposals.get(db, proposal_id=case.proposal_id, user=user)
        if case.proposal_id is not None
        else None
    )
    with db.unit() as session:
        repo = Repository(session)
        placed = [p for p in repo.placements() if p.case_id == case_id]
        facilities = {f.id: f for f in repo.facilities()}
        timeline = case_timeline(session, case_id)  # the read above is audited
    placement = max(placed, key=lambda p: (p.start, p.id), default=None)
    return CasePage(case, proposal, placement, facilities, timeline)


def placement_case(db: Database, placement_id: str) -> str:
    """The case of a placement.

    Raises
    ------
    UnknownReferenceError
        When there is no such placement (a 404 page).
    """
    with db.unit() as session:
        found = [p for p in Repository(session).placements() if p.id == placement_id]
    if not found:
        raise UnknownReferenceError("placement", placement_id)
    return found[0].case_id


def intake_values(form: FormData) -> dict[str, Any]:
    """The intake form as it was filled in (shown again with the errors)."""
    values: dict[str, Any] = {name: text(form, name) for name in INTAKE_DEFAULTS}
    values["needs"] = texts(form, "needs")
    values["preferred_regions"] = texts(form, "preferred_regions")
    values["unaccompanied"] = text(form, "unaccompanied") == "yes"
    return values


def intake(form: FormData) -> tuple[CaseCreate | None, FieldErrors]:
    """The new case the form describes, validated as ``POST /v1/cases`` validates it."""
    errors: FieldErrors = {}
    body: dict[str, Any] = {
        "age": whole_number(form, "age", errors),
        "accompanying_children": whole_number(form, "accompanying_children", errors, required=False)
        or 0,
        "needs": texts(form, "needs"),
        "preferred_regions": texts(form, "preferred_regions"),
        "unaccompanied": text(form, "unaccompanied") == "yes",
    }
    for name in (
        "gender",
        "residence_status",
        "exploitation_type",
        "region_signalled",
        "region_of_exploitation",
        "responsible_organisation",
        "safety_risk",
    ):
        body[name] = text(form, name)
        if not body[name]:
            errors[name] = "is required"
    for name in ("interpreter_language", "intake_date"):
        body[name] = text(form, name) or None
    try:
        new = CaseCreate.model_validate({k: v for k, v in body.items() if k not in errors})
    except ValidationError as exc:
        return None, {**validation_errors(exc), **errors}
    return (new, errors) if not errors else (None, errors)


def register(
    db: Database, *, new: CaseCreate, user: StoredUser, now: datetime, rulebook: Rulebook
) -> tuple[CasePublic | None, FieldErrors]:
    """Register the case through the API's service; field errors instead of a 422."""
    try:
        profile = cases.draft(new, local_date(now))
        work = partial(cases.create, profile=profile, user=user, now=now, rulebook=rulebook)
        created = write(db, None, 201, work, attempts=cases.ID_ATTEMPTS)
    except (FieldError, InvalidFieldError, InvalidInputError) as exc:
        return None, api_errors(exc)
    return created, {}
