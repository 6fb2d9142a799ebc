"""``opvang demo``: load the national demo dataset and show what Opvang does with it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

import flows
from api.cli import render
from api.cli.errors import user_errors
from api.cli.scenario import DEMO_REPLICATIONS, demo_comparison, scenario_errors
from capacity import bundled_rulebook
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from matching import SolveParams, explain
from matching import solve as run_solve
from matching.quiet import silence_solver_banner
from store import DatabaseSettings, Repository, ensure_database, session_scope

console = Console()


def demo(
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds for the matching round, and again for the extra-bed values.",
        ),
    ] = 30.0,
    show: Annotated[int, typer.Option("--show", help="Proposals and waiting cases to list.")] = 15,
    scenario_replications: Annotated[
        int,
        typer.Option(
            "--scenario-replications",
            help="Replications per policy of the simulated year (0: skip it).",
        ),
    ] = DEMO_REPLICATIONS,
) -> None:
    """Load the demo dataset into the database (once), then print the national picture,
    the capacity gaps and a matching round with its explanations."""
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
        console.print(render.occupancy_by_region(snapshot))
        console.print(render.waiting_by_complexity(waiting, rulebook, snapshot.day0))
        built = inputs.build()
        console.print(render.capacity_gaps(built))

        console.rule("[bold]Matching round (national pool, uniform criteria)")
        silence_solver_banner()
        with console.status("solving..."):
            result = run_solve(built.problem, SolveParams(time_limit=time_limit))
            explanations = explain(built, result)
            values = flows.extra_bed_values(built, time_limit=time_limit)
        console.print(render.round_summary(built, result))
        console.print(render.proposals(built, result, explanations, limit=show))
        console.print(render.waiting(built, explanations, limit=show))
        console.print(render.extra_beds(values.values[:5]))
        if values.note:
            console.print(values.note, style="yellow", highlight=False)

    # Issue 5: the national demo scenario simulated for a year under today's practice and
    # under national optimisation; writes demo-out/report.html and prints the headline.
    if scenario_replications > 0:
        with scenario_errors():
            demo_comparison(scenario_replications)
