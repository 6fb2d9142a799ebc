"""Where the hindsight plan's gap comes from, on one replication (issue 13).

``python -m benchmarks.hindsight_split --horizon 365 --replication 0 [--mip SECONDS]``

Solves, one after the other on the same replication of the national demo (seed 13013):
the relaxed LP (the proven bound), the restricted LP, its rounded plan, the left-shifted
rounded plan, and (``--mip``) the MIP from the rounded plan and its left-shift. Prints one
JSON line: objectives (with the constant), gaps to the bound, seconds.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import yaml

from scenarios import EXAMPLES_DIR, parse_scenario
from scenarios.engine import case_records
from scenarios.policies.hindsight import OfflineModel, plan_objective
from scenarios.policies.leftshift import Placements, left_shift, list_schedule, lp_order
from scenarios.policies.offline import Columns, available_beds, build_columns
from scenarios.policies.rounding import round_plan
from scenarios.state import CaseRecord, FloatArray, initial_state

SEED = 13013


def _lps(
    model: OfflineModel,
    cols: Columns,
    records: list[CaseRecord],
    const: float,
    cache: Path | None,
    out: dict[str, float],
) -> FloatArray:
    """The restricted LP's values; the bound and that LP's objective go to ``out``."""
    state, avail, h = model.state, model.avail, model.horizon
    if cache is not None and cache.exists():
        saved = np.load(cache)
        values = saved["values"]
        out["bound"], out["restricted_lp"] = (float(v) for v in saved["objectives"])
    else:
        t = time.perf_counter()
        relaxed = build_columns(state, records, avail, h, relaxed=True)
        bound = model.solve(relaxed, relaxed=True)
        out |= {"bound": bound.objective + const, "bound_s": time.perf_counter() - t}
        t = time.perf_counter()
        lp = model.solve(cols, relaxed=False)
        values = lp.values
        out |= {"restricted_lp": lp.objective + const, "restricted_lp_s": time.perf_counter() - t}
        if cache is not None:
            objectives = np.array([out["bound"], out["restricted_lp"]])
            np.savez(cache, values=values, objectives=objectives)
    return np.asarray(values, dtype=np.float64)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--horizon", type=int, default=365)
    p.add_argument("--replication", type=int, default=0)
    p.add_argument("--base", default="national-demo.yaml")
    p.add_argument("--cache", default="", help="folder to keep the two LPs' results in")
    p.add_argument("--mip", type=float, default=0.0, help="seconds for the MIP (0: none)")
    args = p.parse_args()
    doc = {
        "base": args.base,
        "name": "split",
        "seed": SEED,
        "horizon_days": args.horizon,
        "replications": 1,
        "policy": "hindsight",
    }
    sc = parse_scenario(yaml.safe_dump(doc), source="split", base_dir=EXAMPLES_DIR)
    records = case_records(sc, args.replication)
    h = args.horizon
    state = initial_state(sc.supply, sc.rulebook)
    avail = available_beds(sc.supply, h)
    model = OfflineModel(state, avail, h, args.mip, sc.spec.hindsight.relative_gap)
    const = float(sum(r.weight * (h - r.arrival) for r in records))
    weights = np.array([r.weight for r in records])
    out: dict[str, float] = {"horizon": h, "replication": args.replication, "cases": len(records)}
    cols = build_columns(state, records, avail, h, relaxed=False)
    cache = Path(args.cache) / f"lp-{args.base}-{h}-{args.replication}.npz" if args.cache else None
    values = _lps(model, cols, records, const, cache, out)
    out["variables"] = cols.n
    t = time.perf_counter()
    chosen = round_plan(cols, state, avail, h, values, weights)
    out |= {"rounded": plan_objective(cols, chosen) + const, "rounded_s": time.perf_counter() - t}
    t = time.perf_counter()
    shifted = left_shift(Placements.of(cols, chosen), state, records, avail, h)
    out |= {
        "shifted": shifted.objective(weights, h) + const,
        "shifted_s": time.perf_counter() - t,
        "placed_rounded": len(chosen),
        "placed_shifted": int(shifted.case.size),
    }
    for name, prefer in (("listed", False), ("listed_lp_facility", True)):
        t = time.perf_counter()
        order, facilities = lp_order(cols, values, records, h)
        listed = list_schedule(
            order, state, records, avail, h, prefer=facilities if prefer else None
        )
        out[name] = listed.objective(weights, h) + const
        out[f"{name}_shifted"] = (
            left_shift(listed, state, records, avail, h).objective(weights, h) + const
        )
        out[f"{name}_s"] = time.perf_counter() - t
    if args.mip > 0:
        t = time.perf_counter()
        mip = model.solve(cols, relaxed=False, integer=True, time_limit=args.mip, start=chosen)
        better = np.flatnonzero(mip.values > 0.5)
        out |= {
            "mip": plan_objective(cols, better) + const,
            "mip_bound": mip.bound + const,
            "mip_s": time.perf_counter() - t,
        }
        s2 = left_shift(Placements.of(cols, better), state, records, avail, h)
        out["mip_shifted"] = s2.objective(weights, h) + const
    b = out["bound"]
    for k in [
        k for k in out if k.split("_")[0] in ("restricted", "rounded", "shifted", "mip", "listed")
    ]:
        if not k.endswith("_s"):
            out[f"gap_{k}"] = (out[k] - b) / out[k]
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
