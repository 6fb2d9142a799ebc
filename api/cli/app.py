"""The typer application and its command groups."""

from __future__ import annotations

import typer

from api.cli import db, demo, scenario, serve, solve, users

app = typer.Typer(
    name="opvang",
    help="Opvang: national shelter-capacity matching and waiting-list optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(scenario.app, name="scenario")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("solve")(solve.solve)
