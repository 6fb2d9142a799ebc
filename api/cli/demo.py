"""``opvang demo``: load the national demo dataset and show what Opvang does with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import flows
from api.cli import demo_files, render, render_round
from api.cli.demo_scenario import (
    DEMO_OUT,
    FULL_YEAR_DAYS,
    QUICK_DAYS,
    QUICK_REPLICATIONS,
    demo_comparison,
)
from api.cli.errors import EXIT_INPUT, err_console, user_errors
from api.cli.scenario import scenario_errors
from capacity import bundled_rulebook
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from matching import SolveParams, explain
from matching import solve as run_solve
from matching.quiet import silence_solver_banner
from store import DatabaseSettings, Repository, ensure_database, session_scope

console = Console()
WAITING_SHOWN = 3  # cases left waiting listed in the terminal: about four lines each


def demo(  # noqa: PLR0915 (the demo script: one section after another)
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            min=0.1,
            max=600.0,  # the API's longest matching run
            help="Seconds for the matching round, and again for the extra-bed values.",
        ),
    ] = 30.0,
    show: Annotated[
        int,
        typer.Option(
            "--show",
            min=0,
            help="Proposals and waiting cases to list in the terminal; demo-out/ has them all.",
        ),
    ] = 6,
    full_year: Annotated[
        bool,
        typer.Option(
            "--full-year",
            help=f"Simulate a full year with the scenario file's replications instead of "
            f"{QUICK_DAYS} days with {QUICK_REPLICATIONS}; takes several minutes.",
        ),
    ] = False,
    scenario_days: Annotated[
        int | None,
        typer.Option(
            "--scenario-days",
            min=1,
            help=f"Days to simulate ({QUICK_DAYS} by default, {FULL_YEAR_DAYS} with --full-year).",
        ),
    ] = None,
    scenario_replications: Annotated[
        int | None,
        typer.Option(
            "--scenario-replications",
            min=0,
            help=f"Replications per policy ({QUICK_REPLICATIONS} by default; 0 skips the "
            "simulation).",
        ),
    ] = None,
) -> None:
    """Load the demo dataset into the database (once), then print the national picture,
    the capacity gaps, a matching round with its explanations and a simulated period.

    The full lists go to demo-out/ (CSV files) and the comparison of the simulated
    policies to demo-out/report.html."""
    if DEMO_OUT.exists() and not DEMO_OUT.is_dir():  # before a minute of work, not after
        err_console.print(
            f"[bold red]error:[/] {DEMO_OUT}: a file is in the way of the demo's folder "
            "of full lists; move it and run again",
            highlight=False,
        )
        raise typer.Exit(EXIT_INPUT)
    with user_errors():
        settings = DatabaseSettings()
        engine = ensure_database(settings.database_url)
        rulebook = bundled_rulebook()
        with session_scope(engine) as session:
            added = Repository(session).save_dataset(
                build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
            )
            inputs = flows.prepare_round(session, as_of=DEMO_AS_OF, rulebook=rulebook)
        snapshot, waiting = inputs.snapshot, list(inputs.cases)
        where = engine.url.render_as_string(hide_password=True)
        console.rule("[bold]Opvang demo: the national picture")
        console.print(render.loaded(where, added, DEMO_AS_OF))
        console.print(render.occupancy_by_type(snapshot))
        console.rule("[bold]Beds by region")
        console.print(render.occupancy_by_region(snapshot))
        _full_list(
            "All regions with their police units", demo_files.regions_csv(DEMO_OUT, snapshot)
        )
        console.rule("[bold]Waiting list")
        console.print(render.waiting_by_complexity(waiting, rulebook, snapshot.day0))
        built = inputs.build()
        console.rule("[bold]Capacity gaps")
        console.print(render.capacity_gaps(built))
        _full_list("The closest facilities for each", demo_files.gaps_csv(DEMO_OUT, built))

        console.rule("[bold]Matching round (national pool, uniform criteria)")
        silence_solver_banner()
        with console.status("solving..."):
            result = run_solve(built.problem, SolveParams(time_limit=time_limit))
            explanations = explain(built, result)
            values = flows.extra_bed_values(built, time_limit=time_limit)
        console.print(render_round.round_summary(built, result))
        console.print(render_round.proposals(built, result, limit=show))
        first = render_round.why_first(built, result, explanations)
        if first is not None:
            console.print(first)
        path = demo_files.proposals_csv(DEMO_OUT, built, result, explanations)
        _full_list("All proposals with their reasons", path)

        console.rule("[bold]Cases left waiting")
        left = render_round.unplaced(built, explanations)
        console.print(render_round.binding_counts(left))
        console.print(render_round.waiting(built, left, limit=min(show, WAITING_SHOWN)))
        path = demo_files.unplaced_csv(DEMO_OUT, built, explanations)
        _full_list("All of them with what keeps each waiting", path)

        console.rule("[bold]Where one more bed helps most")
        console.print(render_round.extra_beds(built, values.values[:5]))
        if values.note:
            console.print(values.note, style="yellow", highlight=False)

    # Issue 5: the national demo scenario under today's practice and under national
    # optimisation; issue 17: a short period by default, the full year with --full-year.
    days = scenario_days or (FULL_YEAR_DAYS if full_year else QUICK_DAYS)
    replications = scenario_replications
    if replications is None and not full_year:
        replications = QUICK_REPLICATIONS
    if replications != 0:
        with scenario_errors():
            demo_comparison(days=days, replications=replications)


def _full_list(what: str, path: Path) -> None:
    console.print(f"{what}: {path}", highlight=False)
