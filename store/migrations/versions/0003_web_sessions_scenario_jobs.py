"""Dashboard tables: signed-in sessions and scenario jobs (issue 6).

``web_sessions`` holds one row per signed-in browser: the SHA-256 of the random token in
its cookie (so a reader of the database cannot take over a session), the user, the CSRF
token of its forms and when it expires. Keeping sessions in the database lets several
workers (or hosts) serve one dashboard.

``scenario_jobs`` holds the scenario runs started from the dashboard: the scenario files,
the number of replications, the status and progress (written by the process that runs
the job, read by whichever worker answers the browser) and the aggregated results.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)


def _create_web_sessions() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])


def _create_scenario_jobs() -> None:
    op.create_table(
        "scenario_jobs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("replications", sa.Integer(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scenario_jobs"),
    )


def upgrade() -> None:
    _create_web_sessions()
    _create_scenario_jobs()


def downgrade() -> None:
    op.drop_table("scenario_jobs")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
