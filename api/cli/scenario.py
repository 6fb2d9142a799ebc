"""``opvang scenario run|compare``: policy simulation from scenario files (issue 5)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.errors import EXIT_INPUT, err_console, error_text
from capacity import CapacityError, complexity_label
from matching import MatchingError
from matching.quiet import silence_solver_banner
from scenarios import (
    COMPLEX_CASES,
    InvalidScenarioError,
    Scenario,
    ScenarioError,
    ScenarioResult,
    ScenarioRunError,
    check_folder,
    check_scheduler_address,
    compare_runs,
    dask_client,
    load_scenario,
    read_run,
    run_scenarios,
    write_run,
)
from scenarios.compare import labels_for
from scenarios.report import interval, warnings

app = typer.Typer(
    help="Simulate placement policies over time and compare them.", no_args_is_help=True
)
console = Console()


@contextmanager
def scenario_errors() -> Iterator[None]:
    """Scenario, capacity and matching errors become ``error: ...`` and exit code 2."""
    try:
        yield
    except (ScenarioError, CapacityError, MatchingError) as exc:
        err_console.print(f"[bold red]error:[/] {error_text(exc)}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


class RichProgress:
    """A rich progress bar per scenario, counted in replications (issue 17: a bare
    "1460/1460 simulated days" did not say what was counted)."""

    def __init__(self, progress: Progress, horizons: dict[str, int]) -> None:
        self.progress = progress
        self.horizons = horizons
        self.tasks: dict[str, TaskID] = {}

    def start(self, label: str, total: int) -> None:
        days = self.horizons.get(label, total) or 1
        self.tasks[label] = self.progress.add_task(
            label, total=total, days=days, replications=max(1, total // days)
        )

    def advance(self, label: str, steps: int) -> None:
        self.progress.advance(self.tasks[label], steps)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=12),
        TextColumn(
            "{task.fields[replications]} runs of {task.fields[days]} days,"
            " {task.percentage:>3.0f}% done"
        ),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def simulate(
    scenarios: list[Scenario],
    *,
    workers: int | None,
    scheduler: str | None,
    keep_traces: bool = False,
) -> list[ScenarioResult]:
    """Run the scenarios: in-process for a single replication, else on Dask (local by default)."""
    total = sum(s.spec.replications for s in scenarios)
    in_process = scheduler is None and workers is None and total == 1
    if scheduler is None and workers is None and not in_process:
        workers = max(1, min(total, os.cpu_count() or 1))
    silence_solver_banner()
    cluster = nullcontext(None) if in_process else dask_client(workers=workers, scheduler=scheduler)
    horizons = {s.name: s.spec.horizon_days for s in scenarios}
    with progress_bar() as bar, cluster as client:
        return run_scenarios(
            scenarios,
            client=client,
            progress=RichProgress(bar, horizons),
            keep_traces=keep_traces,
        )


def headline_table(results: list[ScenarioResult]) -> Table:
    """Mean wait per complexity class with 95 % intervals: a row per class, a column per run.

    With more than two runs the interval goes under the mean, so that three runs still fit
    in 80 columns (the demo, issue 15).
    """
    table = Table(title="Mean days waited (95% interval over replications)", title_justify="left")
    policies = [r.scenario.spec.policy.value for r in results]
    unique = len(set(policies)) == len(policies)
    stacked = len(results) > 2
    table.add_column("cases")
    for r, policy in zip(results, policies, strict=True):
        table.add_column(policy if unique else r.scenario.name, justify="right", no_wrap=True)
    classes = list(results[0].kpis.get("by_class", {})) if results else []
    table.add_row("all", *(_cell(r.kpis["overall"]["wait_days"], r, stacked) for r in results))
    for c in classes:
        label = "complex and highly complex" if c == COMPLEX_CASES else complexity_label(c)
        cells = (_cell(r.kpis["by_class"][c]["wait_days"], r, stacked) for r in results)
        table.add_row(label, *cells)
    return table


def _cell(w: dict[str, Any], result: ScenarioResult, stacked: bool = False) -> str:
    mean, ci = w.get("mean"), w.get("ci95")
    if mean is None:
        return "-"
    if not ci:
        return f"{mean:.1f}"
    text = interval(ci, ".1f", result.scenario.spec.replications)
    # stacked (three runs or more, in 80 columns): the marker gets a line of its own
    if stacked:
        return f"{mean:.1f}\n" + text.replace(", ", "\n")
    return f"{mean:.1f} ({text})"


def print_warnings(runs: list[tuple[str, dict[str, Any]]]) -> None:
    """The report's "Read with care" notes (:func:`scenarios.report.warnings`), in the
    terminal too (issue 15: a run of 1 replication, or a comparison of unpaired runs, said
    nothing there)."""
    for text in warnings(runs):
        err_console.print(f"[bold yellow]warning:[/] {text}", highlight=False)


def run_folders(scenarios: list[Scenario], out: Path) -> list[Path]:
    """Where each run is written: ``out`` for one, ``out/<name>`` for several.

    Two files of one name would write the same folder, the second over the first; a name
    that is no folder name (``..``, ``a/b``) would write outside ``out``. Both are refused.
    """
    if len(scenarios) == 1:
        return [out]
    seen: dict[str, Scenario] = {}
    for s in scenarios:
        if s.name in (".", "..") or Path(s.name).name != s.name:
            reason = f"{s.name!r} cannot be a folder's name (runs go to --out/<name>)"
            raise InvalidScenarioError(s.source, "name", reason)
        if s.name in seen:
            raise InvalidScenarioError(
                s.source,
                "name",
                f"{s.name!r} is also the name in {seen[s.name].source}; both runs would be "
                f"written to {out / s.name} (give each file its own name)",
            )
        seen[s.name] = s
    return [out / s.name for s in scenarios]


@app.command("run")
def run(
    specs: Annotated[list[Path], typer.Argument(help="Scenario file(s) (docs/scenarios.md).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the results.")],
    replications: Annotated[
        int | None, typer.Option("--replications", help="Replications (overrides the file).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Local Dask cluster with this many workers.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")
    ] = None,
    traces: Annotated[bool, typer.Option("--traces", help="Also write every event trace.")] = False,
) -> None:
    """Simulate scenario files and write kpis.json, kpis.csv, plots and report.html.

    With several files, each run goes to OUT/<scenario name>.
    """
    with scenario_errors():
        scenarios = [load_scenario(p) for p in specs]
        if replications is not None:
            scenarios = [s.with_replications(replications) for s in scenarios]
        # every argument is checked before the simulation, which may take hours
        folders = run_folders(scenarios, out)
        if scheduler is not None:
            check_scheduler_address(scheduler)
        for folder in folders:
            try:
                check_folder(folder)
            except ScenarioRunError as exc:
                raise ScenarioRunError(f"--out: {exc}") from None
        results = simulate(scenarios, workers=workers, scheduler=scheduler, keep_traces=traces)
        console.print(headline_table(results))
        for r, folder in zip(results, folders, strict=True):
            files = write_run(r, folder, traces=traces)
            console.print(f"{r.scenario.name}: {files.report} ({r.seconds:.1f} s, {r.executor})")
            print_warnings([(r.scenario.name, {"scenario": r.summary()})])


@app.command("compare")
def compare(
    folders: Annotated[list[Path], typer.Argument(help="Folders written by 'scenario run'.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML report to write.")],
) -> None:
    """Put runs side by side in one self-contained HTML report."""
    with scenario_errors():
        path = compare_runs(list(folders), out)
        docs = [read_run(f)[0] for f in folders]
    console.print(f"comparison report: {path}")
    print_warnings(list(zip(labels_for(docs, list(folders)), docs, strict=True)))
