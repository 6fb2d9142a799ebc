"""Retention (issue 16): what is kept of erased cases, and old audit entries deletable by a
retention run only.

``erased_case_counts`` keeps the figures statistics need of cases erased at the end of
their retention term. ``audit_log_erasure`` holds, inside a retention run's own
transaction only, the moment before which audit entries may be deleted: the audit log's
DELETE trigger now lets a row go when such a moment lies after it, and refuses every other
DELETE (and every UPDATE and TRUNCATE) as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MESSAGE = "audit_log is append-only"
REFUSE = f"SELECT RAISE(ABORT, '{MESSAGE}')"


def upgrade() -> None:
    op.create_table(
        "erased_case_counts",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("erased_at", TZ, server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("intake_month", sa.String(7), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("region_signalled", sa.String(100), nullable=False),
        sa.Column("exploitation_type", sa.String(32), nullable=False),
        sa.Column("residence_status", sa.String(32), nullable=False),
        sa.Column("gender", sa.String(32), nullable=False),
        sa.Column("age_band", sa.String(32), nullable=False),
        sa.Column("placed", sa.Boolean(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_erased_case_counts"),
    )
    op.create_index("ix_erased_case_counts_intake_month", "erased_case_counts", ["intake_month"])
    op.create_table(
        "audit_log_erasure",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("before", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log_erasure"),
    )
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute(
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN NOT EXISTS "
            "(SELECT 1 FROM audit_log_erasure e WHERE julianday(OLD.at) < julianday(e.before)) "
            f"BEGIN {REFUSE}; END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' AND EXISTS "
            "(SELECT 1 FROM audit_log_erasure e WHERE OLD.at < e.before) THEN RETURN OLD; END IF; "
            f"RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP; END $$"
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute(
            f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN {REFUSE}; END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP; END $$"
        )
    op.drop_table("audit_log_erasure")
    op.drop_index("ix_erased_case_counts_intake_month", table_name="erased_case_counts")
    op.drop_table("erased_case_counts")
