"""The demo's simulated period: the national demo scenario under today's practice
(calibrated, ``docs/calibration.md``), under national optimisation and under national
optimisation with a demand forecast (issues 5, 13, 15), short by default so that ``make
demo`` takes under a minute (issue 17), the full year one flag away (``--full-year``)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from api.cli.scenario import headline_table, simulate
from scenarios import (
    COMPLEX_CASES,
    EXAMPLES_DIR,
    ScenarioResult,
    compare_runs,
    load_scenario,
    write_run,
)
from scenarios.report import interval

# Days simulated by default (issue 17): four months, about 25 s on two quiet cores. After
# 90 days the policies barely differ (the starting waiting list dominates); after 120 the
# complex cases' waits part.
QUICK_DAYS = 120
QUICK_REPLICATIONS = 3  # per policy: the fewest that give an interval (issue 15)
FULL_YEAR_DAYS = 365  # with --full-year, and the scenario file's replications
DEMO_OUT = Path("demo-out")  # where `opvang demo` writes the comparison and the full lists
DEMO_FILES = (
    "national-demo-current-practice.yaml",
    "national-demo.yaml",
    "national-demo-anticipatory.yaml",
)
POLICY_WORDS = {
    "current-practice": "today's practice",
    "optimised": "national optimisation",
    "anticipatory": "national optimisation with a forecast",
}

console = Console()


def period_words(days: int) -> str:
    """``a simulated year`` for 365 days, ``90 simulated days`` otherwise."""
    return "a simulated year" if days == FULL_YEAR_DAYS else f"{days} simulated days"


def complex_headline(result: ScenarioResult) -> str:
    """``12.3 days (95% interval 10.1 to 14.5)`` for the cases above the standard class."""
    w = result.kpis["by_class"][COMPLEX_CASES]["wait_days"]
    mean, ci = w.get("mean"), w.get("ci95")
    if mean is None:
        return "no complex cases"
    n = result.scenario.spec.replications
    return f"{mean:.1f} days" + (f" (95% interval {interval(ci, '.1f', n)})" if ci else "")


def kept_words(result: ScenarioResult) -> str | None:
    """How many beds a policy kept for expected arrivals, if it may keep any (issue 13)."""
    kept = result.kpis.get("anticipation")
    if kept is None:
        return None
    ci = kept.get("beds_kept_ci95")
    n = result.scenario.spec.replications
    return (
        f"{result.scenario.spec.policy.value.capitalize()} kept {kept['beds_kept']:.1f} "
        "beds a run for expected arrivals"
        + (f" (95% interval {interval(ci, '.1f', n)})" if ci else "")
        + "; otherwise it places as optimised does."
    )


def demo_comparison(
    *, days: int = QUICK_DAYS, replications: int | None = QUICK_REPLICATIONS, out: Path = DEMO_OUT
) -> Path:
    """Run the national demo scenario under today's practice and the two national policies.

    ``replications`` None keeps the scenario file's. Writes each run under
    ``out/<policy>`` and the comparison to ``out/report.html``; prints the headline: the
    complex-case mean wait under each policy with its interval.
    """
    title = period_words(days)
    console.rule(f"[bold]{title[0].upper() + title[1:]}: today's practice or national pool")
    scenarios = [load_scenario(EXAMPLES_DIR / f).with_horizon(days) for f in DEMO_FILES]
    if replications is not None:
        scenarios = [s.with_replications(replications) for s in scenarios]
    n = scenarios[0].spec.replications
    console.print(
        f"The demo's country from {scenarios[0].supply.start_date:%Y-%m-%d}, {days} days of "
        f"new cases, {n} replications per policy; today's practice calibrated "
        "(docs/calibration.md), anticipatory may keep a bed for an expected arrival."
        + ("" if days == FULL_YEAR_DAYS else " A full year: opvang demo --full-year."),
        highlight=False,
    )
    results = simulate(scenarios, workers=None, scheduler=None)
    folders = [write_run(r, out / r.scenario.spec.policy.value).folder for r in results]
    report = compare_runs(list(folders), out / "report.html")
    console.print(headline_table(results))
    for r in results:
        policy = r.scenario.spec.policy.value
        words = POLICY_WORDS.get(policy, policy)
        console.print(
            f"Complex cases, mean wait under {words} ({policy}): {complex_headline(r)}.",
            highlight=False,
        )
    for r in results:
        if (kept := kept_words(r)) is not None:
            console.print(kept, highlight=False)
    console.print(f"Comparison report: {report}", highlight=False)
    return report
