"""The ``opvang`` command line (typer + rich).

Each command lives in its own module; this one only assembles them.
"""

from api.cli.app import app

__all__ = ["app"]
