"""The scenario's true demand as sampled futures (``anticipation.rates: true-rates``), and
the run's own future as the one sample (``oracle-arrivals``).

What no live system knows: ``samples`` independent realisations of the run's demand, drawn
from the scenario file's demand classes with seeds other than the run's own arrivals, so
no realisation is the real future. Measured against the estimated forecast (issue 13).
``oracle-arrivals`` is a study oracle: the run's real arrivals, so the value of knowing
who arrives when can be measured apart from knowing stays (``optimiser.oracle_stays``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from capacity import bundled_rulebook, profile_class
from capacity.criteria import NATIONAL
from scenarios.demand import draw_arrivals
from scenarios.state import CaseRecord

if TYPE_CHECKING:
    from scenarios.loading import Scenario

TRUTH_STREAM = 1313  # spawn key of the realisations (apart from the run's own draws)


def true_realisations(
    scenario: Scenario, replication: int, samples: int, horizon: int
) -> list[list[tuple[float, str, CaseRecord]]]:
    """Per realisation, its arrivals over the run and the planning horizon after it:
    (time, profile class, case record)."""
    spec, supply = scenario.spec, scenario.supply
    national = bundled_rulebook(NATIONAL)
    book = scenario.rulebook
    out = []
    for k in range(samples):
        seq = np.random.SeedSequence(spec.seed, spawn_key=(replication, TRUTH_STREAM, k))
        drafts = draw_arrivals(scenario.demand, seq, spec.horizon_days + horizon, supply.start_date)
        one = []
        for n, d in enumerate(drafts):
            model = scenario.demand[d.demand_class]
            start = book.priority(d.case, d.case.intake_date)
            complexity = national.priority(d.case, d.case.intake_date).complexity_class
            expected = {t: model.expected_stay(t) for t in d.stays}
            record = CaseRecord(
                -1 - n,
                d.case,
                d.time,
                model.name,
                complexity,
                start.class_weight * start.urgency,
                d.stays,
                expected,
            )
            one.append((d.time, profile_class(d.case, complexity), record))
        out.append(one)
    return out


def actual_arrivals(records: list[CaseRecord]) -> list[list[tuple[float, str, CaseRecord]]]:
    """The run's own arrivals as one realisation: (time, profile class, case record).

    Each case is its real record; the look-ahead plans it with its expected stays, or
    with its actual ones when ``optimiser.oracle_stays`` is on too. The dataset's waiting
    list is left out: it is there from the start.
    """
    return [[(r.arrival, profile_class(r.case, r.complexity), r) for r in records if r.arrival > 0]]
