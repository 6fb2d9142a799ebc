"""``python -m benchmarks calibration --fit``: how the current-practice parameters were set.

Issue 15, ``docs/calibration.md``. Fitting seed ``FIT_SEED``, not the scenario file's
(2026), which the tolerance test (``tests/scenarios/test_calibration.py``) uses. Two steps:

1. **Own region.** The share of women's-shelter placements in the region signalled, for
   each way of letting other regions help: the out-of-region delay (14, 56 days, never)
   under the rule that medium-risk cases must leave their region (as ``national-v1``), and
   under the rule that only a high threat must (table E: 20 % must be placed outside).
   The option closest to the source's 70 % is kept.
2. **Who waits longest.** ``complex_search_days`` over ``SEARCH_GRID``: the smallest value
   at which the complex cases' mean wait exceeds the standard cases' in every replication
   (the sources give the order, not a number).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

from benchmarks.calibration import OWN_REGION, womens_shelter_own_region
from capacity.criteria.rulebook import CRITERIA_DIR
from scenarios import EXAMPLES_DIR, Scenario, parse_scenario, replicate
from scenarios.kpis import COMPLEX_CASES

FIT_SEED = 7001  # the tests use the scenario file's seed (2026); the fit another
OWN_REGION_TARGET = 0.70  # women's-shelter clients from the shelter's own area (2015 monitor)
DELAYS = (14, 56, 365)  # days before other regions help (365: never within the year)
SEARCH_GRID = tuple(range(0, 141, 14))  # days, complex_search_days: 0, 14, ..., 140
BASELINE = "national-demo-current-practice.yaml"


def scenario(rulebook: Path | None = None, **current_practice: Any) -> Scenario:
    """The baseline with the fitting seed and the given ``current_practice`` settings."""
    doc: dict[str, Any] = {"base": BASELINE, "seed": FIT_SEED}
    if current_practice:
        doc["current_practice"] = current_practice
    if rulebook is not None:
        doc["rulebook"] = str(rulebook)
    return parse_scenario(yaml.safe_dump(doc), source="fit", base_dir=EXAMPLES_DIR)


def run(sc: Scenario, replications: int) -> list[dict[str, float]]:
    """Per replication: own-region share (women's shelter), mean waits, occupancy."""
    out = []
    for r in range(replications):
        result = replicate(sc, r, keep_trace=True)
        by_class = result.kpis["by_class"]
        out.append(
            {
                OWN_REGION: womens_shelter_own_region(result),
                "standard": by_class["standard"]["wait_days"]["mean"],
                "complex": by_class[COMPLEX_CASES]["wait_days"]["mean"],
                "occupancy": result.kpis["occupancy"]["overall"],
            }
        )
    return out


def summary(rows: list[dict[str, float]], key: str, fmt: str = ".3f") -> str:
    values = [r[key] for r in rows]
    return f"{mean(values):{fmt}} ({min(values):{fmt}} to {max(values):{fmt}})"


def medium_must_leave(folder: Path) -> Path:
    """``regional-variation-v1`` as it was before the fit: medium risk leaves its region."""
    doc = yaml.safe_load((CRITERIA_DIR / "regional-variation-v1.yaml").read_text())
    doc["safety"]["medium"] = {"outside_region_of_exploitation": True}
    doc["version"] = "regional-variation-v1-medium-leaves"
    path = folder / "medium-leaves.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def fit(replications: int) -> None:
    print(f"fitting seed {FIT_SEED}, {replications} replications of a year each\n")
    print(f"1. {OWN_REGION}, target {OWN_REGION_TARGET:.0%}:")
    with tempfile.TemporaryDirectory() as tmp:
        rulebooks = {
            "medium risk leaves its region": medium_must_leave(Path(tmp)),
            "only a high threat leaves": None,
        }
        for words, book in rulebooks.items():
            for delay in DELAYS:
                sc = scenario(book, out_of_region_after_days=delay, complex_search_days=0)
                rows = run(sc, replications)
                print(
                    f"   {words}, other regions after {delay} days: "
                    f"{summary(rows, OWN_REGION)}; mean wait standard "
                    f"{summary(rows, 'standard', '.1f')}"
                )
    print("\n2. complex_search_days (days) against mean wait, standard and complex cases:")
    chosen = None
    for days in SEARCH_GRID:
        rows = run(scenario(complex_search_days=days), replications)
        ahead = all(r["complex"] > r["standard"] for r in rows)
        if ahead and chosen is None:
            chosen = days
        print(
            f"   {days:>3}: standard {summary(rows, 'standard', '.1f')}, complex "
            f"{summary(rows, 'complex', '.1f')}, {OWN_REGION} {summary(rows, OWN_REGION)}, "
            f"occupancy {summary(rows, 'occupancy')}"
            + ("  <- complex longer in every replication" if ahead else "")
        )
    print(f"\nsmallest complex_search_days with the sources' order: {chosen}")
