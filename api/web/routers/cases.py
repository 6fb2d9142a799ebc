"""Coordinators' pages: the waiting list, a case with its proposal, intake, decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

import flows
from api.cases import service as cases
from api.cases.schemas import KeepApartSet
from api.database import Database
from api.deps import DatabaseDep, NowDep, RulebookDep
from api.errors import FieldError
from api.organisations import service as organisations
from api.placements import service as placements
from api.placements.schemas import PlacementDischarge
from api.proposals import service as proposals
from api.proposals.schemas import ProposalDecline
from api.unit_of_work import write
from api.web import cases_view as view
from api.web.csrf import Form
from api.web.forms import FieldErrors, api_errors, text, validation_errors
from api.web.pages import COORDINATORS, Coordinator, record_number, redirect, render
from capacity import KEEP_APART_LABELS, InvalidTransitionError, Rulebook
from capacity.clock import local_date
from capacity.languages import pick_list
from flows import DeclineReason, WaitingOrder
from store import DuplicateRecordError
from store.service import StoredUser

router = APIRouter()

DONE = {
    "registered": "The case is registered and on the waiting list.",
    "accepted": "Proposal accepted: the placement is recorded.",
    "declined": "Proposal declined: the case waits for the next matching round.",
    "kept_apart": "Recorded: no matching round places these two cases at one facility.",
    "apart_lifted": "Keep-apart pair lifted.",
    "withdrawn": "The case is withdrawn from the waiting list.",
    "discharged": "The discharge is recorded: the beds are free from that day.",
}
KEEP_APART_REASONS = [(r.value, text) for r, text in KEEP_APART_LABELS.items()]
DECLINE_REASONS = [
    (DeclineReason.CASE_DECLINED.value, "the case (the victim or their counsel) declined"),
    (DeclineReason.FACILITY_DECLINED.value, "the facility declined"),
    (DeclineReason.UNSAFE.value, "unsafe for this case"),
    (DeclineReason.OTHER.value, "other (say why below)"),
]


@router.get("/waiting-list")
def waiting_list(
    request: Request,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    region: Annotated[str, Query()] = "",
    complexity: Annotated[str, Query()] = "",
    search: Annotated[str, Query()] = "",
    sort: Annotated[str, Query()] = WaitingOrder.PRIORITY.value,
    page: Annotated[str, Query()] = "1",
) -> Response:
    """The national waiting list, a page at a time: by priority (or another order),
    filtered by region and complexity class, searched by case id."""
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    search = search.strip()
    errors = view.list_errors(region=region, complexity=complexity, search=search, classes=classes)
    if search and not errors and (exact := view.exact_case(db, search)) is not None:
        return redirect(f"/cases/{exact}")  # a whole case id: straight to its page
    order = WaitingOrder(sort) if sort in {o.value for o in WaitingOrder} else WaitingOrder.PRIORITY
    number = int(page) if page.isdigit() and 0 < int(page) <= view.MAX_PAGE else 1
    found = (
        None
        if errors
        else view.waiting_list(
            db,
            user=user,
            region=region or None,
            complexity=complexity or None,
            search=search or None,
            sort=order,
            offset=(number - 1) * view.PAGE_SIZE,
            now=now,
            rulebook=rulebook,
        )
    )
    filters = {"region": region, "complexity": complexity, "search": search}
    context = {
        "title": "Waiting list",
        "found": found,
        **filters,
        "sort": order.value,
        "page": number,
        "page_size": view.PAGE_SIZE,
        "orders": view.ORDERS,
        "link": partial(view.list_link, {**filters, "sort": order.value}),
        "classes": classes,
        "regions": view.INTAKE_CHOICES["regions"],
        "errors": errors,
        "region_name": view.region_name,
        "today": now,
    }
    return render(request, "waiting_list.html", context, status_code=422 if errors else 200)


def _intake_page(
    request: Request, db: Database, values: dict[str, Any], errors: FieldErrors, status: int
) -> HTMLResponse:
    names = [o.name for o in organisations.list_(db).data]
    context = {
        "title": "New case (intake)",
        "values": values,
        "errors": errors,
        "choices": view.INTAKE_CHOICES,
        "languages": [(code, f"{name} ({code})") for code, name in pick_list()],
        "organisations": [(n, n) for n in names],
    }
    return render(request, "intake.html", context, status_code=status)


@router.get("/cases/new", dependencies=COORDINATORS)
def intake_form(request: Request, db: DatabaseDep) -> HTMLResponse:
    """The uniform intake profile, empty."""
    return _intake_page(request, db, dict(view.INTAKE_DEFAULTS), {}, 200)


@router.post("/cases/new")
def intake(
    request: Request,
    form: Form,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """Register the case (as ``POST /v1/cases``); the form again with messages if refused."""
    new, errors = view.intake(form)
    created = None
    if new is not None:
        created, errors = view.register(db, new=new, user=user, now=now, rulebook=rulebook)
    if created is None:
        return _intake_page(request, db, view.intake_values(form), errors, 422)
    return redirect(f"/cases/{created.id}?done=registered")


def _case_page(
    request: Request,
    *,
    case_id: str,
    user: StoredUser,
    db: Database,
    now: datetime,
    rulebook: Rulebook,
    status: int = 200,
    error: str | None = None,
    errors: FieldErrors | None = None,
    decline: dict[str, str] | None = None,
    discharge: dict[str, str] | None = None,
    apart: dict[str, str] | None = None,
) -> HTMLResponse:
    page = view.case_page(db, case_id=case_id, user=user, now=now, rulebook=rulebook)
    kept_apart = cases.list_keep_apart(db, case_id=case_id, user=user).data
    pathway = cases.pathway(db, case_id=case_id, user=user, now=now)
    context = {
        "title": f"Case {page.case.id}",
        "page": page,
        "done": DONE.get(request.query_params.get("done", "")),
        "error": error,
        "errors": errors or {},
        "decline": decline or {"reason": "", "text": ""},
        "discharge": discharge or {"day": local_date(now).isoformat()},
        "words": flows.waiting_words,
        "decline_reasons": DECLINE_REASONS,
        "kept_apart": kept_apart,
        "pathway": pathway,
        "apart": apart or {"other_case_id": "", "reason": ""},
        "keep_apart_reasons": KEEP_APART_REASONS,
        "labels": view.LABELS,
        "type_name": view.type_name,
        "region_name": view.region_name,
    }
    return render(request, "case.html", context, status_code=status)


@router.get("/cases/{case_id}")
def case(
    request: Request,
    case_id: str,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> HTMLResponse:
    """A case: profile, eligible placement types with reasons, proposal, placement."""
    return _case_page(request, case_id=case_id, user=user, db=db, now=now, rulebook=rulebook)


@dataclass(frozen=True, slots=True)
class _Desk:
    """What every decision form on the case page needs to show the page again."""

    request: Request
    user: StoredUser
    db: Database
    now: datetime
    rulebook: Rulebook

    def attempt(
        self,
        act: Callable[[], Response],
        *,
        case_id: Callable[[], str],
        conflicts: tuple[type[Exception], ...],
        conflict_text: str | None = None,
        **form: dict[str, str],
    ) -> Response:
        """Run a decision; on refusal, the case page again with why and the form filled.

        A field the API refuses is a 422 next to that field; a conflict (the bed went, the
        case moved on, the pair exists) is a 409 with its message (``conflict_text`` when
        the error's own words are not for a coordinator).
        """
        status, error, errors = 422, None, {}
        try:
            return act()
        except ValidationError as exc:
            errors = validation_errors(exc)
        except (FieldError, flows.InvalidInputError) as exc:
            errors = api_errors(exc)
        except conflicts as exc:
            status, error = 409, conflict_text or str(exc)
        return _case_page(
            self.request,
            case_id=case_id(),
            user=self.user,
            db=self.db,
            now=self.now,
            rulebook=self.rulebook,
            status=status,
            error=error,
            errors=errors,
            **form,
        )


MOVED_ON = (flows.ConflictError, InvalidTransitionError)  # the bed went, the case moved on


@router.post("/proposals/{proposal_id}/accept")
def accept(
    request: Request,
    proposal_id: str,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """Accept through the API's race-safe path; the 409 message when the bed went."""
    pid = record_number(proposal_id)

    def act() -> Response:
        work = partial(proposals.accept, proposal_id=pid, user=user, now=now)
        placement = write(db, None, 201, work)
        return redirect(f"/cases/{placement.case_id}?done=accepted")

    desk = _Desk(request, user, db, now, rulebook)
    return desk.attempt(
        act,
        case_id=lambda: proposals.get(db, proposal_id=pid, user=user).case_id,
        conflicts=MOVED_ON,
    )


@router.post("/proposals/{proposal_id}/decline")
def decline(
    request: Request,
    proposal_id: str,
    form: Form,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """Decline with a coded reason (as ``POST /v1/proposals/{id}/decline``)."""
    pid = record_number(proposal_id)
    values = {"reason": text(form, "reason"), "text": text(form, "text")}

    def act() -> Response:
        body = ProposalDecline.model_validate(
            {"reason": values["reason"], "text": values["text"] or None}
        )
        work = partial(proposals.decline, proposal_id=pid, body=body, user=user, now=now)
        decided = write(db, None, 200, work)
        return redirect(f"/cases/{decided.case_id}?done=declined")

    desk = _Desk(request, user, db, now, rulebook)
    return desk.attempt(
        act,
        case_id=lambda: proposals.get(db, proposal_id=pid, user=user).case_id,
        conflicts=MOVED_ON,
        decline=values,
    )


@router.post("/cases/{case_id}/withdraw")
def withdraw(
    request: Request,
    case_id: str,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """Take the case off the waiting list (as ``POST /v1/cases/{id}/withdraw``)."""

    def act() -> Response:
        work = partial(cases.withdraw, case_id=case_id, user=user, now=now, rulebook=rulebook)
        write(db, None, 200, work)
        return redirect(f"/cases/{case_id}?done=withdrawn")

    desk = _Desk(request, user, db, now, rulebook)
    return desk.attempt(act, case_id=lambda: case_id, conflicts=(InvalidTransitionError,))


@router.post("/placements/{placement_id}/discharge")
def discharge(
    request: Request,
    placement_id: str,
    form: Form,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """End the placement on the day given (as ``POST /v1/placements/{id}/discharge``)."""
    case_id = view.placement_case(db, placement_id)  # unknown: a 404 page
    values = {"day": text(form, "day")}

    def act() -> Response:
        body = PlacementDischarge.model_validate({"day": values["day"] or None})
        work = partial(
            placements.discharge, placement_id=placement_id, day=body.day, user=user, now=now
        )
        write(db, None, 200, work)
        return redirect(f"/cases/{case_id}?done=discharged")

    desk = _Desk(request, user, db, now, rulebook)
    return desk.attempt(
        act, case_id=lambda: case_id, conflicts=(flows.ConflictError,), discharge=values
    )


@router.post("/cases/{case_id}/keep-apart")
def keep_apart(
    request: Request,
    case_id: str,
    form: Form,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
) -> Response:
    """Keep this case apart from another (as ``POST /v1/cases/{id}/keep-apart``)."""
    values = {"other_case_id": text(form, "other_case_id"), "reason": text(form, "reason")}

    def act() -> Response:
        body = KeepApartSet.model_validate(values)
        work = partial(cases.add_keep_apart, case_id=case_id, body=body, user=user)
        write(db, None, 201, work)
        return redirect(f"/cases/{case_id}?done=kept_apart#keep-apart")

    desk = _Desk(request, user, db, now, rulebook)
    return desk.attempt(
        act,
        case_id=lambda: case_id,
        conflicts=(DuplicateRecordError,),
        conflict_text="These two cases are already kept apart.",
        apart=values,
    )


@router.post("/cases/{case_id}/keep-apart/{other_case_id}/lift")
def lift_keep_apart(
    case_id: str, other_case_id: str, user: Coordinator, db: DatabaseDep
) -> Response:
    """Lift a keep-apart pair (as ``DELETE /v1/cases/{id}/keep-apart/{other}``)."""
    work = partial(cases.remove_keep_apart, case_id=case_id, other_case_id=other_case_id, user=user)
    write(db, None, 200, work)
    return redirect(f"/cases/{case_id}?done=apart_lifted#keep-apart")
