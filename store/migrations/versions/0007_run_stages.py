"""Matching runs record their solve stage by stage.

Issue 11: a run kept only its final objective, bound and gap, so nobody could tell
whether a weak bound came from a stage cut short by the clock. ``stages`` keeps, per
stage of the solve (greedy, LP, LP plan, polishing, MIP, ...), its part of the problem,
when it ended, and the best plan, bound and gap it ended with. Runs stored before get an
empty list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matching_runs") as batch:
        batch.add_column(
            sa.Column("stages", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("matching_runs") as batch:
        batch.drop_column("stages")
