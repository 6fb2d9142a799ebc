"""Daily operations (issue 14): keep-apart pairs, organisations, response deadlines, the
scheduler's lease and slots.

- ``keep_apart_pairs``: two cases never placed at one facility (co-victims, a suspected
  recruiter), with a reason code from a closed list, who set it and when.
- ``organisations``: the managed list a case's responsible organisation is taken from
  (never free text); filled with the organisations of the cases already stored.
- ``proposals.respond_by``: past it a pending proposal lapses.
- ``scheduler_leases``: one runner of scheduled jobs across workers and hosts, until the
  lease expires; ``scheduled_slots``: each slot of a job (the daily round of a day) is
  claimed once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)


def _create_keep_apart_pairs() -> None:
    op.create_table(
        "keep_apart_pairs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("case_a", sa.String(40), nullable=False),
        sa.Column("case_b", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(["case_a"], ["cases.id"], name="fk_keep_apart_pairs_case_a_cases"),
        sa.ForeignKeyConstraint(["case_b"], ["cases.id"], name="fk_keep_apart_pairs_case_b_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_keep_apart_pairs"),
        sa.UniqueConstraint("case_a", "case_b", name="uq_keep_apart_pairs_case_a"),
    )
    op.create_index("ix_keep_apart_pairs_case_a", "keep_apart_pairs", ["case_a"])
    op.create_index("ix_keep_apart_pairs_case_b", "keep_apart_pairs", ["case_b"])


def _create_organisations() -> None:
    table = op.create_table(
        "organisations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("name", name="uq_organisations_name"),
    )
    cases = sa.table("cases", sa.column("responsible_organisation", sa.String(200)))
    names = op.get_bind().execute(sa.select(cases.c.responsible_organisation).distinct())
    rows = [{"name": n} for (n,) in sorted(names) if n and n.strip()]
    if rows:
        op.bulk_insert(table, rows)


def _create_scheduler_tables() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_leases"),
    )
    op.create_table(
        "scheduled_slots",
        sa.Column("job", sa.String(32), nullable=False),
        sa.Column("slot", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("claimed_at", TZ, server_default=NOW, nullable=False),
        sa.Column("outcome", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("job", "slot", name="pk_scheduled_slots"),
    )


def upgrade() -> None:
    _create_keep_apart_pairs()
    _create_organisations()
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("respond_by", TZ, nullable=True))
    op.create_index("ix_proposals_respond_by", "proposals", ["respond_by"])
    _create_scheduler_tables()


def downgrade() -> None:
    op.drop_table("scheduled_slots")
    op.drop_table("scheduler_leases")
    op.drop_index("ix_proposals_respond_by", table_name="proposals")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("respond_by")
    op.drop_table("organisations")
    op.drop_index("ix_keep_apart_pairs_case_b", table_name="keep_apart_pairs")
    op.drop_index("ix_keep_apart_pairs_case_a", table_name="keep_apart_pairs")
    op.drop_table("keep_apart_pairs")
