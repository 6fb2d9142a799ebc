"""The seeded national demo dataset: supply, occupancy and the waiting list at one moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime

import numpy as np

from capacity.availability import Placement
from capacity.cases import Case, CaseStatus
from capacity.clock import LOCAL_TZ, local_date
from capacity.criteria import NATIONAL, bundled_rulebook
from capacity.dataset import Dataset
from capacity.demo.occupancy import PlacedDraft, draw_occupancy
from capacity.demo.reports import draw_reports
from capacity.demo.streams import national_streams, wmo_streams
from capacity.demo.supply import (
    national_facilities,
    regional_facilities,
    specialised_providers,
    youth_facilities,
)
from capacity.demo.waiting_list import WaitingDraft, draw_waiting_list
from capacity.demo.womens_shelter import womens_shelter_providers, womens_shelters
from capacity.errors import InvalidSupplyError
from capacity.facilities import Facility

DEMO_SEED = 2026  # the seed the counts in docs/demo-data.md are for
DEMO_AS_OF = datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ)


def demo_facilities() -> list[Facility]:
    """Every facility of the demo, the same for every seed."""
    return [*national_facilities(), *womens_shelters(), *regional_facilities(), *youth_facilities()]


def build_demo_dataset(*, seed: int = DEMO_SEED, as_of: datetime) -> Dataset:
    """Build the national demo dataset.

    The supply (providers, facilities, funding streams) is fixed; the seed draws the
    occupancy, the availability reports and the waiting list, each from its own child
    generator so that one part does not shift when another changes.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed and ``as_of`` give an
        identical dataset.
    as_of
        The moment the dataset describes (timezone-aware); all dates are relative to it.

    Returns
    -------
    Dataset
        Providers, funding streams, facilities, placed and waiting cases, current
        placements and the latest availability report per facility.

    Raises
    ------
    InvalidSupplyError
        When ``as_of`` has no timezone.
    """
    if as_of.tzinfo is None:
        raise InvalidSupplyError("as_of", "must carry a timezone")
    waiting_rng, occupancy_rng, report_rng = np.random.default_rng(seed).spawn(3)
    facilities = demo_facilities()
    period = str(local_date(as_of).year)
    streams = national_streams(period) + wmo_streams(facilities, period)
    day0 = local_date(as_of)  # Dutch calendar day, whatever zone as_of is written in
    waiting = draw_waiting_list(waiting_rng, day0)
    rulebook = bundled_rulebook(NATIONAL)
    placed = draw_occupancy(occupancy_rng, facilities, {s.id: s for s in streams}, rulebook, day0)
    cases, placements = _assign_ids(waiting, placed)
    return Dataset(
        as_of=as_of,
        providers=(*specialised_providers(), *womens_shelter_providers()),
        funding_streams=tuple(streams),
        facilities=tuple(facilities),
        cases=tuple(cases),
        placements=tuple(placements),
        reports=tuple(draw_reports(report_rng, facilities, placements, as_of)),
    )


def _assign_ids(
    waiting: list[WaitingDraft], placed: list[PlacedDraft]
) -> tuple[list[Case], list[Placement]]:
    """Number cases by intake date within the intake year, placements by start date.

    Returns
    -------
    tuple
        All cases (placed first in id order, then waiting) and the placements.
    """
    drafts: list[tuple[date, Case, PlacedDraft | None]] = [
        (d.case.intake_date, d.case, d) for d in placed
    ]
    for w in waiting:
        case = w.profile.to_case("C-DRAFT", w.intake_date, CaseStatus.WAITING)
        drafts.append((w.intake_date, case, None))
    drafts.sort(key=lambda t: t[0])  # stable: ties keep the drawing order
    per_year: dict[int, int] = defaultdict(int)
    cases: list[Case] = []
    stays: list[tuple[str, PlacedDraft]] = []
    for intake, case, draft in drafts:
        per_year[intake.year] += 1
        numbered = replace(case, id=f"C-{intake.year}-{per_year[intake.year]:04d}")
        cases.append(numbered)
        if draft is not None:
            stays.append((numbered.id, draft))
    stays.sort(key=lambda t: (t[1].start, t[0]))
    placements = [
        Placement(
            id=f"PL-{i:04d}",
            case_id=case_id,
            facility_id=d.facility_id,
            beds=d.case.beds,
            start=d.start,
            expected_end=d.expected_end,
        )
        for i, (case_id, d) in enumerate(stays, start=1)
    ]
    cases.sort(key=lambda c: (c.status is CaseStatus.WAITING, c.intake_date, c.id))
    return cases, placements
