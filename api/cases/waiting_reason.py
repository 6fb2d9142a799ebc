"""Why a case waits, as the API shows it (``waiting_reason``, issue 14).

The reason is typed in :mod:`flows.waiting_reason` and worded in :mod:`flows.waiting_words`;
this module only maps both to JSON.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from flows import Change, ChangeKind, NextBest, WaitingReason, WaitKind, waiting_words

KIND_HELP = (
    "capacity_gap (no facility in the country is eligible: see changes[].rules), "
    "all_declined (every eligible facility declined or holds a keep-apart case), budget "
    "(the budget of `stream` cannot pay for the placement), kept_for_higher_priority (a "
    "bed free before the round went to `cases`), kept_for_expected_arrivals (a bed free "
    "today was kept for expected arrivals, issue 13), full_until (eligible facilities full "
    "until `date`), beyond_horizon (no room within the planning horizon), solve_stopped "
    "(a start fits: the solve stopped before finding it), awaiting_run (registered, "
    "declined or back on the list since the latest run), no_run (no matching run yet)."
)


class FacilityPublicRef(BaseModel):
    facility_id: str
    facility_name: str
    placement_type: str
    region_id: str


class NextBestPublic(FacilityPublicRef):
    """The facility that came closest."""

    start_date: dt.date | None = Field(description="When it could take the case (null: a gap).")
    fails: list[str] = Field(description="Capacity gap: the rules it fails for this case.")


class ChangePublic(BaseModel):
    """What would change the answer."""

    kind: ChangeKind = Field(description="extra_bed, budget or rules.")
    text: str
    facility_id: str | None = None
    placement_type: str | None = None
    region_id: str | None = None
    start_date: dt.date | None = None
    stream: str | None = None
    amount: float | None = Field(None, description="budget: euros more.")
    rules: dict[str, int] = Field(
        default_factory=dict, description="rules: rule family -> facilities it keeps out."
    )


class WaitingReasonPublic(BaseModel):
    """Why the case waits, from the latest matching run."""

    kind: WaitKind = Field(description=KIND_HELP)
    label: str = Field(description="The reason in a few words.")
    text: str = Field(description="The reason in a coordinator's words.")
    run_id: int | None = Field(description="The matching run it comes from.")
    date: dt.date | None
    stream: str | None
    cases: list[str]
    higher_priority: bool = Field(
        description="kept_for_higher_priority: all of `cases` weigh more."
    )
    next_best: NextBestPublic | None
    changes: list[ChangePublic]
    run_text: str = Field(description="The run's own account: every binding, in its words.")


def _next_best(best: NextBest | None) -> NextBestPublic | None:
    if best is None:
        return None
    f = best.facility
    return NextBestPublic(
        facility_id=f.id,
        facility_name=f.name,
        placement_type=f.placement_type,
        region_id=f.region_id,
        start_date=best.start_date,
        fails=list(best.fails),
    )


def _change(change: Change) -> ChangePublic:
    f = change.facility
    return ChangePublic(
        kind=change.kind,
        text=waiting_words.change_text(change),
        facility_id=None if f is None else f.id,
        placement_type=None if f is None else f.placement_type,
        region_id=None if f is None else f.region_id,
        start_date=change.start_date,
        stream=change.stream,
        amount=change.amount,
        rules=dict(change.rules),
    )


def reason_public(reason: WaitingReason | None) -> WaitingReasonPublic | None:
    """The reason as JSON (``None`` stays ``None``: a proposal, or not on the list)."""
    if reason is None:
        return None
    return WaitingReasonPublic(
        kind=reason.kind,
        label=waiting_words.label(reason),
        text=waiting_words.sentence(reason),
        run_id=reason.run_id,
        date=reason.date,
        stream=reason.stream,
        cases=list(reason.cases),
        higher_priority=reason.higher_priority,
        next_best=_next_best(reason.next_best),
        changes=[_change(c) for c in reason.changes],
        run_text=reason.run_text,
    )
