"""KPIs over replications: means with 95 % intervals that keep their range, and the series
for plots.

The interval of a KPI's mean is the percentile bootstrap over replications (issue 15): the
replications' values are resampled with replacement (:data:`BOOTSTRAP_RESAMPLES` times,
seeded, so a run's report is reproducible) and the 2.5th and 97.5th percentiles of the
resampled means are the interval. Every resampled mean lies between the smallest and the
largest value, so the interval never leaves the KPI's range: a wait, a count, a cost or a
share of beds cannot get a negative end, nor a share an end above 100 % (the t-interval
gave "-43.0 to 140.1" days and "86 % to 103 %"). With fewer than
:data:`MIN_REPLICATIONS` replications there is no interval (``null``), and reports say so.
With few replications the percentile bootstrap is too narrow rather than too wide
(``docs/scenarios.md``): intervals of fewer than :data:`INDICATIVE_BELOW` replications,
or of zero width, are marked indicative wherever they are shown.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.events import Arrived, Placed, Trace
from scenarios.kpis import Kpis, outcomes, stays

CI_LEVEL = 0.95
MIN_REPLICATIONS = 3  # fewer: no interval, and a warning in every report
# fewer replications (or pairs) than this, or an interval of zero width: shown as indicative
# (issue 15: 3 replications gave "-1.0 (-1.0 to -1.0)", which reads as certainty)
INDICATIVE_BELOW = 5
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20261203  # the interval of the same values is the same in every report
NON_NEGATIVE = (0.0, math.inf)
SHARE = (0.0, 1.0)
UNBOUNDED = (-math.inf, math.inf)  # a paired difference
SHARE_KPIS = frozenset({"share", "placed_within_target"})
# Maps whose keys a replication leaves out when the value is 0 (a stream that cost nothing,
# a stream that did not overrun): a missing key counts as 0 in the mean, not as no value.
ZERO_WHEN_MISSING = frozenset({"cost.by_stream", "budget_overrun.by_stream"})
# Maps of groups (equity) that list only the groups with cases in a replication: a group a
# replication lacks had 0 cases there (its mean wait stays no value), so the group counts
# add up to the count of all cases (issue 15: a region's "cases (mean)" skipped them).
NO_CASES_WHEN_MISSING = "equity.by_"


@dataclass(frozen=True, slots=True)
class Series:
    """Per-replication data behind the plots.

    Parameters
    ----------
    waits
        Per complexity class, the waits of the measured cases (``censored``: still waiting
        at the end, so the value is the days waited so far).
    censored
        Per complexity class, which of ``waits`` are censored.
    occupancy
        Per placement type, the share of beds occupied at midday of each day.
    waiting
        Cases waiting at midday of each day.
    """

    waits: dict[str, list[float]]
    censored: dict[str, list[bool]]
    occupancy: dict[str, list[float]]
    waiting: list[int]


def series(trace: Trace) -> Series:
    """The plot data of one replication (a pure function of its trace)."""
    h = trace.info.horizon_days
    waits: dict[str, list[float]] = defaultdict(list)
    censored: dict[str, list[bool]] = defaultdict(list)
    for c in outcomes(trace):
        waits[c.complexity].append(c.wait)
        censored[c.complexity].append(c.placed is None)
    midday = np.arange(h) + 0.5
    kind = {f.id: f.placement_type for f in trace.info.facilities}
    used: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(h))
    for fac, beds, start, end in stays(trace):
        used[kind[fac]] += beds * ((midday >= start) & (midday < end))
    have: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(h))
    from scenarios.kpis import capacity_steps

    for fac, steps in capacity_steps(trace).items():
        for (t, beds), nxt in zip(steps, [s for s, _ in steps[1:]] + [math.inf], strict=True):
            have[kind[fac]] += beds * ((midday >= t) & (midday < nxt))
    occ = {
        t: (np.divide(used[t], have[t], out=np.zeros(h), where=have[t] > 0)).round(4).tolist()
        for t in sorted(have)
    }
    arrivals = np.array([e.time for e in trace.events if isinstance(e, Arrived)])
    leaves = np.array([e.time for e in trace.events if isinstance(e, Placed) and not e.initial])
    waiting = np.searchsorted(np.sort(arrivals), midday) - np.searchsorted(np.sort(leaves), midday)
    return Series(dict(waits), dict(censored), occ, waiting.astype(int).tolist())


def confidence_interval(
    values: Sequence[float], *, bounds: tuple[float, float] = NON_NEGATIVE
) -> tuple[float, float] | None:
    """The 95 % percentile-bootstrap interval of the mean of the values.

    Parameters
    ----------
    values
        One value per replication (or per pair of replications, for paired differences).
    bounds
        The range the quantity cannot leave (a safety net: the percentile bootstrap stays
        within the values' own range already).

    Returns
    -------
    tuple of float or None
        ``(low, high)``; ``None`` for fewer than :data:`MIN_REPLICATIONS` values.
    """
    n = len(values)
    if n < MIN_REPLICATIONS:
        return None
    data = np.asarray(values, dtype=np.float64)
    if np.all(data == data[0]):
        return (float(data[0]), float(data[0]))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
    means = data[draws].mean(axis=1)
    tail = (1 - CI_LEVEL) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return (float(max(low, bounds[0])), float(min(high, bounds[1])))


def indicative(ci: Sequence[float], n: int | None = None) -> bool:
    """Whether an interval is to be read as indicative only: of zero width, or (when the
    number ``n`` of replications or pairs behind it is known) from fewer than
    :data:`INDICATIVE_BELOW`, where the percentile bootstrap is too narrow."""
    return ci[0] == ci[1] or (n is not None and n < INDICATIVE_BELOW)


def kpi_bounds(path: str) -> tuple[float, float]:
    """The range of a KPI by its dotted path: a share (occupancy, a share placed) is
    between 0 and 1; every other KPI (days, counts, euros) is at least 0."""
    parts = path.split(".")
    if "occupancy" in parts or parts[-1] in SHARE_KPIS:
        return SHARE
    return NON_NEGATIVE


def aggregate(per_replication: list[Kpis]) -> Kpis:
    """Means and 95 % intervals of every KPI over the replications.

    A KPI ``k`` becomes its mean and, beside it, ``k_ci95`` (``[low, high]``); the KPI
    ``mean`` is the exception, its interval is ``ci95``, so ``overall.wait_days.mean`` and
    ``overall.wait_days.ci95`` read naturally. Replications where a KPI is ``None`` (an
    empty group) are left out of its mean; the count used is not repeated per KPI. In the
    maps of :data:`ZERO_WHEN_MISSING` a key a replication lacks counts as 0 there (a
    replication lists only the streams that cost something or overran). In the equity
    maps of groups a group a replication lacks counts as 0 cases (and no mean wait).
    """
    merged: Kpis = _merge(per_replication) or {}
    return merged


def missing_value(metric: str) -> float | None:
    """What a replication without the dotted KPI ``metric`` counts as: 0 or no value."""
    parent, _, leaf = metric.rpartition(".")
    if parent in ZERO_WHEN_MISSING:
        return 0.0
    group = _missing(parent.rpartition(".")[0])  # a whole group missing: its count is 0
    return float(group[leaf]) if isinstance(group, dict) and leaf in group else None


def _missing(path: str) -> Any:
    """What a replication's map at ``path`` lacking a key counts as there."""
    if path in ZERO_WHEN_MISSING:
        return 0.0
    if path.startswith(NO_CASES_WHEN_MISSING) and "." not in path[len(NO_CASES_WHEN_MISSING) :]:
        return {"cases": 0}
    return None


def _merge(items: list[Any], path: str = "") -> Any:
    dicts = [i for i in items if isinstance(i, dict)]
    if dicts:
        keys: list[str] = []
        for d in dicts:
            keys += [k for k in d if k not in keys]
        out: dict[str, Any] = {}
        for k in keys:
            values = [d.get(k, _missing(path)) for d in dicts]
            if any(isinstance(v, dict) for v in values):
                out[k] = _merge(values, f"{path}.{k}" if path else k)
                continue
            numbers = [float(v) for v in values if v is not None]
            out[k] = float(np.mean(numbers)) if numbers else None
            where = f"{path}.{k}" if path else k
            ci = confidence_interval(numbers, bounds=kpi_bounds(where))
            out["ci95" if k == "mean" else f"{k}_ci95"] = None if ci is None else list(ci)
        return out
    return None


def flatten(kpis: Kpis, prefix: str = "") -> dict[str, float | None]:
    """``{"overall": {"wait_days": {"mean": 3}}}`` -> ``{"overall.wait_days.mean": 3}``."""
    out: dict[str, float | None] = {}
    for k, v in kpis.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        elif isinstance(v, list):
            continue  # an interval, not a KPI
        else:
            out[key] = None if v is None else float(v)
    return out
