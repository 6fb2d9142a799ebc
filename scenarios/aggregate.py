"""KPIs over replications: means with 95 % confidence intervals, and the series for plots.

The interval of a KPI is the t-interval over replications: ``mean +- t(0.975, n-1) x sd /
sqrt(n)``, with ``sd`` the sample standard deviation of the replications' values; it needs
two replications or more (with one, the interval is ``null``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from scenarios.events import Arrived, Placed, Trace
from scenarios.kpis import Kpis, outcomes, stays

CI_LEVEL = 0.95
# Maps whose keys a replication leaves out when the value is 0 (a stream that cost nothing,
# a stream that did not overrun): a missing key counts as 0 in the mean, not as no value.
ZERO_WHEN_MISSING = frozenset({"cost.by_stream", "budget_overrun.by_stream"})


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


def confidence_interval(values: list[float]) -> tuple[float, float] | None:
    """The 95 % t-interval of the mean of the values (``None`` for fewer than two)."""
    n = len(values)
    if n < 2:
        return None
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1))
    half = float(stats.t.ppf(0.5 + CI_LEVEL / 2, n - 1)) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def aggregate(per_replication: list[Kpis]) -> Kpis:
    """Means and 95 % intervals of every KPI over the replications.

    A KPI ``k`` becomes its mean and, beside it, ``k_ci95`` (``[low, high]``); the KPI
    ``mean`` is the exception, its interval is ``ci95``, so ``overall.wait_days.mean`` and
    ``overall.wait_days.ci95`` read naturally. Replications where a KPI is ``None`` (an
    empty group) are left out of its mean; the count used is not repeated per KPI. In the
    maps of :data:`ZERO_WHEN_MISSING` a key a replication lacks counts as 0 there (a
    replication lists only the streams that cost something or overran).
    """
    merged: Kpis = _merge(per_replication) or {}
    return merged


def missing_value(metric: str) -> float | None:
    """What a replication without the dotted KPI ``metric`` counts as: 0 or no value."""
    return 0.0 if metric.rpartition(".")[0] in ZERO_WHEN_MISSING else None


def _merge(items: list[Any], path: str = "") -> Any:
    dicts = [i for i in items if isinstance(i, dict)]
    if dicts:
        keys: list[str] = []
        for d in dicts:
            keys += [k for k in d if k not in keys]
        missing = 0.0 if path in ZERO_WHEN_MISSING else None
        out: dict[str, Any] = {}
        for k in keys:
            values = [d.get(k, missing) for d in dicts]
            if any(isinstance(v, dict) for v in values):
                out[k] = _merge(values, f"{path}.{k}" if path else k)
                continue
            numbers = [float(v) for v in values if v is not None]
            out[k] = float(np.mean(numbers)) if numbers else None
            ci = confidence_interval(numbers)
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
