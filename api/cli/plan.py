"""``opvang plan``: where N more beds, or EUR X a year for beds, do most good (issue 15).

Plans on today's matching round in the database (as ``opvang demo`` loads it), measures
the plan on that round, then checks it over a simulated year: the base scenario against
the same scenario with the plan's beds, paired by replication, and keeps both runs and
their comparison in ``--out`` like any scenario run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import flows
from api.cli.errors import EXIT_INPUT, err_console
from api.cli.scenario import headline_table, scenario_errors, simulate
from capacity import CATALOGUE, PlacementType, bundled_rulebook, region
from matching.quiet import silence_solver_banner
from scenarios import EXAMPLES_DIR, compare_runs, load_scenario, parse_scenario, write_run
from scenarios.plan_check import left_out, paired_check, planned_scenario_text
from scenarios.planner import STOPPED
from scenarios.variant import MAX_BUDGET_CHANGE
from store import DatabaseSettings, ensure_database, session_scope

console = Console()


def plan(
    beds: Annotated[int | None, typer.Option("--beds", help="Beds to add.")] = None,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Euros a year to spend on beds.", max=MAX_BUDGET_CHANGE),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--types", help="Candidate placement types (repeat; default all)."),
    ] = None,
    regions: Annotated[
        list[str] | None, typer.Option("--regions", help="Candidate regions (repeat; default all).")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="lp (LP values) or exact (a solve per candidate).")
    ] = "lp",
    batch: Annotated[int, typer.Option("--batch", help="Beds added per re-valuation.")] = 1,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0.1, max=3600.0, help="Seconds for the planning's LPs/solves."
        ),
    ] = 120.0,
    scenario: Annotated[
        Path, typer.Option("--scenario", help="Base scenario of the simulated check.")
    ] = EXAMPLES_DIR / "national-demo.yaml",
    replications: Annotated[
        int, typer.Option("--replications", help="Paired replications (0: no simulation).")
    ] = 5,
    out: Annotated[Path, typer.Option("--out", help="Folder for the runs.")] = Path("plan-out"),
    workers: Annotated[int | None, typer.Option("--workers", help="Local Dask workers.")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a Dask scheduler.")
    ] = None,
) -> None:
    """Choose where to add beds (--beds N or --budget EUR), then check by simulation."""
    if method not in ("lp", "exact"):
        err_console.print("[bold red]error:[/] --method: must be lp or exact", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if replications < 0:
        err_console.print("[bold red]error:[/] --replications: must be 0 or more")
        raise typer.Exit(EXIT_INPUT)
    if replications and out.exists() and not out.is_dir():  # before the planning, not after
        err_console.print(f"[bold red]error:[/] --out: {out} is a file, not a folder")
        raise typer.Exit(EXIT_INPUT)
    with scenario_errors():
        base = load_scenario(scenario) if replications else None
        engine = ensure_database(DatabaseSettings().database_url, create=False)
        with session_scope(engine) as session:
            inputs = flows.prepare_round(
                session, as_of=datetime.now(UTC), rulebook=bundled_rulebook()
            )
        silence_solver_banner()
        with console.status("planning..."):
            planned = flows.plan_round(
                inputs.build(),
                beds=beds,
                budget=budget,
                types=types or (),
                regions=regions or (),
                method="exact" if method == "exact" else "lp",
                batch=batch,
                time_limit=time_limit,
            )
        console.print(plan_table(planned))
        console.print(round_effect(planned), highlight=False)
        if base is None or not planned.plan.beds:
            return
        out.mkdir(parents=True, exist_ok=True)
        text = planned_scenario_text(base, str(scenario.resolve()), planned.plan)
        for a in left_out(base, planned.plan):
            console.print(
                f"Not in the simulated scenario (no {a.placement_type} facility there): "
                f"{a.beds} beds in {a.region_id}",
                style="yellow",
                highlight=False,
            )
        plan_file = out / "plan.yaml"
        plan_file.write_text(text, encoding="utf-8")
        after = parse_scenario(text, source=str(plan_file), base_dir=out)
        base = base.with_replications(replications)
        results = simulate(
            [base, after.with_replications(replications)], workers=workers, scheduler=scheduler
        )
        check = paired_check(results[0], results[1])
        folders: list[str | Path] = [
            write_run(r, out / name).folder
            for r, name in zip(results, ("base", "plan"), strict=True)
        ]
        report = compare_runs(folders, out / "report.html")
    console.print(headline_table(results))
    for label, change in (("all cases", check.all_cases), ("complex cases", check.complex_cases)):
        if change is not None:
            console.print(
                f"Change in mean wait, {label} (plan minus base, paired): {change.text()}",
                highlight=False,
            )
    console.print(f"Plan scenario: {plan_file}; runs in {out}; comparison report: {report}")


def plan_table(planned: flows.RoundPlan) -> Table:
    p = planned.plan
    if p.beds_asked is not None:
        asked = f"{p.beds_asked} bed does" if p.beds_asked == 1 else f"{p.beds_asked} beds do"
    else:
        asked = f"EUR {p.budget:,.0f} a year does"
    table = Table(
        title=f"Where {asked} most good ({planned.method} values; "
        f"{STOPPED.get(p.stopped, p.stopped)})",
        title_justify="left",
    )
    for col in ("placement type", "region", "facility", "beds", "EUR a year", "value"):
        table.add_column(col, justify="right" if col in ("beds", "EUR a year", "value") else "left")
    for a in p.additions:
        table.add_row(
            CATALOGUE[PlacementType(a.placement_type)].name,
            region(a.region_id).name,
            a.facility_id,
            str(a.beds),
            f"{a.cost_per_year:,.0f}",
            f"{a.value:,.1f}",
        )
    table.add_row("total", "", "", str(p.beds), f"{p.cost_per_year:,.0f}", "")
    return table


def round_effect(planned: flows.RoundPlan) -> str:
    if planned.before is None or planned.after is None:
        return "The plan was not measured on today's round."
    proven = "" if planned.proven else " (best plans found in the time, not proven optimal)"
    incomplete = "" if planned.plan.complete else " Some values were cut short by the time limit."
    return (
        f"Today's round, priority-weighted waiting days: {planned.before:,.1f} without the "
        f"beds, {planned.after:,.1f} with them{proven}.{incomplete}"
    )
