"""Alembic environment: runs the migrations on a connection or a URL.

Called in two ways:

- programmatically by :func:`store.upgrade`, which passes an open
  connection in ``config.attributes["connection"]`` and no ini file, so the application's
  logging is left as it is;
- from the command line (``alembic upgrade head`` with ``alembic.ini``), where the URL comes
  from ``-x url=...`` or :class:`store.DatabaseSettings`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from store.engine import make_engine
from store.schema import METADATA
from store.settings import DatabaseSettings

config = context.config
target_metadata = METADATA

# Only the command line configures logging from the ini file; a programmatic run has no
# ini file and must not replace the handlers of the application that called it.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    return url or config.get_main_option("sqlalchemy.url") or DatabaseSettings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL to standard output instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
