"""Matching runs record the forecast they anticipated with.

Issue 13: a live round may keep a bed today for expected arrivals. ``anticipation``
keeps what it used (the history window, the rates per profile class with their
intervals, the samples and seed) and the beds it kept, so the decision can be audited.
Myopic runs, and every run stored before, have none (null).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_runs") as batch:
        batch.add_column(sa.Column("anticipation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matching_runs") as batch:
        batch.drop_column("anticipation")
