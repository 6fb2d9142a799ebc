"""``opvang db``: the database schema."""

from __future__ import annotations

import typer
from rich.console import Console

from store import DatabaseSettings, current_revision, ensure_database

app = typer.Typer(help="Database schema.", no_args_is_help=True)
console = Console()


@app.command("upgrade")
def upgrade() -> None:
    """Create the database if needed and migrate it to the latest schema (OPVANG_DATABASE_URL)."""
    settings = DatabaseSettings()
    engine = ensure_database(settings.database_url)
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"database {where} at revision {current_revision(engine)}")
