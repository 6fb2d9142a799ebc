"""The typer application: its commands, each imported only when it runs (issue 12).

Importing every command module made ``opvang --help`` and a small ``opvang solve`` spend
about five seconds importing FastAPI, SQLAlchemy, matplotlib and Dask. The top-level
group knows each command by name and one line of help (:data:`COMMANDS`), and imports a
command's module when it is asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from api.cli.errors import environment_errors


@dataclass(frozen=True, slots=True)
class Entry:
    """Where a command lives: a typer sub-app or a function, and its one line of help."""

    module: str
    attribute: str
    summary: str


COMMANDS: dict[str, Entry] = {
    "demo": Entry(
        "api.cli.demo",
        "demo",
        "Load the demo dataset, then print the national picture, a matching round and "
        "a simulated year.",
    ),
    "serve": Entry("api.cli.serve", "serve", "Serve the API and the dashboard."),
    "solve": Entry(
        "api.cli.solve", "solve", "Solve a matching problem file and write the result as JSON."
    ),
    "round": Entry(
        "api.cli.rounds",
        "app",
        "The live matching round: export it as a problem file for opvang solve.",
    ),
    "scenario": Entry(
        "api.cli.scenario", "app", "Simulate placement policies over time and compare them."
    ),
    "plan": Entry(
        "api.cli.plan",
        "plan",
        "Choose where more beds (or a budget for beds) do most good, then check by simulation.",
    ),
    "users": Entry(
        "api.cli.users", "app", "Users: bearer tokens for the API, passwords for the dashboard."
    ),
    "rounds": Entry(
        "api.cli.scheduled_rounds",
        "app",
        "Matching rounds from cron, and the lapse of overdue proposals.",
    ),
    "organisations": Entry(
        "api.cli.organisations",
        "app",
        "Organisations that may hold cases: add, list, remove (admins).",
    ),
    "db": Entry("api.cli.db", "app", "Database: migrate, back up, restore."),
    "retention": Entry(
        "api.cli.retention",
        "app",
        "Erase cases, proposals and audit entries past their retention term (--dry-run).",
    ),
    "import": Entry(
        "api.cli.imports",
        "import_",
        "Import facilities, cases or placements from a CSV or XLSX table (--dry-run).",
    ),
}


def _load(name: str) -> Any:
    entry = COMMANDS[name]
    found = getattr(importlib.import_module(entry.module), entry.attribute)
    command: Any
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    _plain_help(command)
    return command


def _plain_help(command: Any) -> None:
    """Click's own help layout for a command and its subcommands (issue 17).

    typer's rich panels squeeze each option's help into a narrow column (sentences broken
    every two or three words, option names cut with an ellipsis at 80 columns); click's
    layout wraps the help text as paragraphs, like ``opvang --help``.
    """
    command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        if sub.help and not sub.short_help:
            # click cuts a command's line in a list at "..."; the whole first paragraph
            # is wrapped instead
            sub.short_help = " ".join(sub.help.split("\n\n")[0].split())
        _plain_help(sub)


class LazyGroup(TyperGroup):
    """A group whose commands are imported when they run, not when the group is built."""

    def list_commands(self, ctx: Any) -> list[str]:  # noqa: ARG002 - click's signature
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:  # noqa: ARG002 - click's signature
        return _load(cmd_name) if cmd_name in COMMANDS else None

    def invoke(self, ctx: Any) -> Any:
        # a database that cannot be opened, a setting out of range, a path that cannot be
        # written: a message and exit 2 from every command, never a traceback
        with environment_errors():
            return super().invoke(ctx)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # typer's rich help would load every command to read its help; the plain one
        # lists them with format_commands below
        self.rich_markup_mode = None
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # noqa: ARG002
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="opvang",
    cls=LazyGroup,
    help="Opvang: national shelter-capacity matching and waiting-list optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Opvang: national shelter-capacity matching and waiting-list optimiser."""
