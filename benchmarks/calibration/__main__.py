"""``python -m benchmarks calibration [--replications 5] [--fit]``: the baseline's figures.

Simulates ``national-demo-current-practice.yaml`` in this process (traces kept) and prints,
for each figure ``docs/calibration.md`` compares with a source, the simulated value: the
share of women's-shelter placements in the region where the case was signalled, the mean
wait by complexity class, the share of women's-shelter placements within 7 days, the
occupancy of COSM and women's shelter, the mean stays realised, and placements a year.
Means over replications with the range of the replications' values. ``--fit`` instead
runs the fitting procedure of ``benchmarks/calibration/fit.py`` (issue 15).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from statistics import mean

from benchmarks.calibration import OWN_REGION, womens_shelter_own_region, womens_shelter_placements
from matching.quiet import silence_solver_banner
from scenarios import EXAMPLES_DIR, load_scenario, replicate
from scenarios.events import Arrived, Discharged, Placed
from scenarios.kpis import outcomes

BASELINE = "national-demo-current-practice.yaml"
TARGET_DAYS = 7  # "a place was almost always found within 3 days to a week" (2015 monitor)


def figures(rep: int, scenario) -> dict[str, float]:  # type: ignore[no-untyped-def]
    result = replicate(scenario, rep, keep_trace=True)
    trace = result.trace
    assert trace is not None
    kind = {f.id: f.placement_type for f in trace.info.facilities}
    cases = {c.case: c for c in outcomes(trace)}
    ws, _ = womens_shelter_placements(result)
    out: dict[str, float] = {
        OWN_REGION: womens_shelter_own_region(result),
        "women's shelter placements within 7 days (share)": (
            sum(1 for c in ws if c.wait <= TARGET_DAYS) / len(ws) if ws else 0.0
        ),
        "placements a year (new cases)": float(
            sum(1 for c in cases.values() if c.placed is not None)
        )
        * 365.0
        / trace.info.horizon_days,
        "arrivals a year": float(
            sum(1 for e in trace.events if isinstance(e, Arrived) and e.time >= 0)
        )
        * 365.0
        / trace.info.horizon_days,
    }
    for cls in trace.info.classes:
        waits = [c.wait for c in cases.values() if c.complexity == cls]
        out[f"mean wait, {cls} (days)"] = mean(waits) if waits else float("nan")
    out["mean wait, all cases (days)"] = result.kpis["overall"]["wait_days"]["mean"]
    out["placements outside the region signalled, all types (share)"] = result.kpis[
        "out_of_region"
    ]["share"]
    out["unplaced at the end"] = result.kpis["overall"]["unplaced_at_end"]
    occ = result.kpis["occupancy"]["by_type"]
    for t in ("cosm", "womens_shelter", "omm"):
        out[f"occupancy, {t} (share)"] = occ.get(t) or 0.0
    out["occupancy, all beds (share)"] = result.kpis["occupancy"]["overall"]
    start = {(e.case): (e.time, e.facility) for e in trace.events if isinstance(e, Placed)}
    stays: dict[str, list[float]] = defaultdict(list)
    for e in trace.events:
        if isinstance(e, Discharged) and e.case in start and start[e.case][0] >= 0:
            stays[kind[start[e.case][1]]].append(e.time - start[e.case][0])
    for t in ("cosm", "womens_shelter"):
        if stays[t]:
            out[f"mean stay completed within the year, {t} (days)"] = mean(stays[t])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks calibration")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--fit", action="store_true", help="run the fitting procedure")
    args = parser.parse_args()
    silence_solver_banner()
    if args.fit:
        from benchmarks.calibration.fit import fit

        fit(args.replications)
        return
    scenario = load_scenario(EXAMPLES_DIR / BASELINE)
    runs = [figures(r, scenario) for r in range(args.replications)]
    for key in runs[0]:
        values = [r[key] for r in runs if key in r]
        print(f"{key}: {mean(values):.3f} (replications {min(values):.3f} to {max(values):.3f})")


if __name__ == "__main__":
    main()
