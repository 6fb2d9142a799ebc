"""Availability reports count from their receipt at the latest, and say what was counted.

Issue 10: a report whose ``as_of`` lay a little in the future (a provider's clock ahead of
the server's, within the tolerated skew) counted placements recorded before that moment as
already inside it, so one free bed was taken twice. ``effective_at`` is the moment a report
counts from: its ``as_of``, never later than its receipt (``recorded_at``). Reports are
ordered, and compared with placements, by it. ``beds_free_counted`` is what the report
counted for: its ``beds_free``, at most the facility's beds minus the placements active
when it arrived (a report of more is flagged, not taken at face value).

Existing rows get ``effective_at`` = the earlier of ``as_of`` and ``recorded_at``, and
``beds_free_counted`` = ``beds_free``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
INDEX = "ix_availability_reports_facility_id_effective_at"


def upgrade() -> None:
    with op.batch_alter_table("availability_reports") as batch:
        batch.add_column(sa.Column("effective_at", TZ, nullable=True))
        batch.add_column(sa.Column("beds_free_counted", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE availability_reports SET beds_free_counted = beds_free, effective_at = "
        "CASE WHEN as_of < recorded_at THEN as_of ELSE recorded_at END"
    )
    with op.batch_alter_table("availability_reports") as batch:
        batch.alter_column("effective_at", existing_type=TZ, nullable=False)
        batch.alter_column("beds_free_counted", existing_type=sa.Integer(), nullable=False)
    op.create_index(INDEX, "availability_reports", ["facility_id", "effective_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="availability_reports")
    with op.batch_alter_table("availability_reports") as batch:
        batch.drop_column("beds_free_counted")
        batch.drop_column("effective_at")
