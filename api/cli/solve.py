"""``opvang solve``: solve a problem file (docs/problem-format.md) and write the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.errors import EXIT_INPUT, err_console, user_errors
from api.cli.files import check_writable, write_whole
from api.cli.progress import progress_line, wanted
from matching import Method, SolveParams, problem_from_dict
from matching import solve as run_solve
from matching.quiet import silence_solver_banner


def solve(
    problem_file: Annotated[
        Path, typer.Argument(help="Problem in the opvang-problem/1 JSON format.")
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Wall-clock seconds.")] = 10.0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the result here (default: stdout).")
    ] = None,
    method: Annotated[Method, typer.Option("--method", help="Solution method.")] = Method.AUTO,
    seed: Annotated[int, typer.Option("--seed", help="Solver seed.")] = 0,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress line (shown only when standard output and error are terminals).",
        ),
    ] = False,
) -> None:
    """Solve a matching problem file and write the result as JSON."""
    try:
        data = json.loads(problem_file.read_text(encoding="utf-8"))
    except OSError as exc:
        err_console.print(f"[bold red]error:[/] {problem_file}: cannot be read ({exc.strerror})")
        raise typer.Exit(EXIT_INPUT) from None
    except json.JSONDecodeError as exc:
        err_console.print(
            f"[bold red]error:[/] {problem_file}: not valid JSON (line {exc.lineno}: {exc.msg})"
        )
        raise typer.Exit(EXIT_INPUT) from None
    if out is not None:
        check_writable(out)  # before the solve: a long round is not lost to a typo
    with user_errors():
        problem = problem_from_dict(data)
        params = SolveParams(time_limit=time_limit, method=method, seed=seed)
        silence_solver_banner()
        show = wanted(quiet=quiet, stdout=_stdout(), drawn_on=err_console)
        with progress_line(err_console, time_limit, show=show) as observer:
            result = run_solve(problem, params, observer=observer)
    text = json.dumps(result.to_dict(), indent=2)
    if out is None:
        typer.echo(text)
    else:
        write_whole(out, text + "\n")
        err_console.print(
            f"{result.status.value}: objective {result.objective:.2f}, "
            f"gap {result.gap:.4%} -> {out}"
        )


def _stdout() -> Console:
    """Standard output as rich sees it (a function, so a test can stand in a terminal)."""
    return Console()
