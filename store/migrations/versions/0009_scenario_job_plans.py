"""Capacity-plan jobs: a scenario job may carry the plan it was asked to make.

Issue 15: a policymaker asks where N beds (or EUR X a year for beds) do most good; the
job plans on today's round, then simulates the base scenario against the plan's, and is
kept and compared like any scenario job. ``plan`` holds the request (beds or budget,
candidate types and regions, method); null for a plain scenario job.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_jobs") as batch:
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenario_jobs") as batch:
        batch.drop_column("plan")
