"""Initial schema: regions, supply, availability ledger, cases, placements, audit log.

The audit log refuses UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) by trigger, so
that nobody, the application included, can change who did what afterwards.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)

APPEND_ONLY_MESSAGE = "audit_log is append-only"


def _id(length: int = 100) -> sa.Column[str]:
    return sa.Column("id", sa.String(length), nullable=False)


def _str(name: str, length: int = 200, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def _create_supply_tables() -> None:
    op.create_table(
        "regions",
        _id(),
        _str("name"),
        _str("province"),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        _str("police_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_regions"),
    )
    op.create_table(
        "providers",
        _id(),
        _str("name"),
        sa.PrimaryKeyConstraint("id", name="pk_providers"),
    )
    op.create_table(
        "funding_streams",
        _id(),
        _str("name"),
        _str("payer"),
        sa.Column("placement_types", sa.JSON(), nullable=False),
        sa.Column("case_categories", sa.JSON(), nullable=False),
        _str("region_id", 100, nullable=True),
        sa.Column("budget_per_period", sa.Float(), nullable=True),
        _str("period"),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name="fk_funding_streams_region_id_regions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_funding_streams"),
    )
    _create_facilities()


def _create_facilities() -> None:
    op.create_table(
        "facilities",
        _id(),
        _str("name"),
        _str("provider_id", 100),
        _str("region_id", 100),
        _str("placement_type", 32),
        _int("beds"),
        _str("funding_stream_id", 100),
        sa.Column("cost_per_bed_day", sa.Float(), nullable=False),
        sa.Column("specialisms", sa.JSON(), nullable=False),
        _str("gender_policy", 32),
        _int("min_age"),
        _int("max_age"),
        _int("max_children"),
        sa.Column("secret_address", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("wheelchair_access", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name="fk_facilities_provider_id_providers"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name="fk_facilities_region_id_regions"
        ),
        sa.ForeignKeyConstraint(
            ["funding_stream_id"],
            ["funding_streams.id"],
            name="fk_facilities_funding_stream_id_funding_streams",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_facilities"),
    )
    op.create_index("ix_facilities_provider_id", "facilities", ["provider_id"])
    op.create_index("ix_facilities_region_id", "facilities", ["region_id"])


def _create_availability_reports() -> None:
    op.create_table(
        "availability_reports",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        _str("facility_id", 100),
        _int("beds_free"),
        sa.Column("as_of", TZ, nullable=False),
        _str("reporter"),
        _str("idempotency_key", 200, nullable=True),
        sa.Column("recorded_at", TZ, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name="fk_availability_reports_facility_id_facilities",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_availability_reports"),
        sa.UniqueConstraint("idempotency_key", name="uq_availability_reports_idempotency_key"),
    )
    op.create_index(
        "ix_availability_reports_facility_id_as_of",
        "availability_reports",
        ["facility_id", "as_of"],
    )


def _create_cases() -> None:
    op.create_table(
        "cases",
        _id(40),
        sa.Column("intake_date", sa.Date(), nullable=False),
        _int("age"),
        _str("gender", 32),
        _str("residence_status", 32),
        _str("exploitation_type", 32),
        _str("region_signalled", 100),
        _str("region_of_exploitation", 100),
        _str("responsible_organisation"),
        _int("accompanying_children"),
        sa.Column("needs", sa.JSON(), nullable=False),
        _str("safety_risk", 32),
        _str("interpreter_language", 32, nullable=True),
        sa.Column("preferred_regions", sa.JSON(), nullable=False),
        sa.Column("unaccompanied", sa.Boolean(), nullable=False),
        _str("status", 32),
        sa.Column("created_at", TZ, server_default=NOW, nullable=False),
        sa.Column("updated_at", TZ, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["region_signalled"], ["regions.id"], name="fk_cases_region_signalled_regions"
        ),
        sa.ForeignKeyConstraint(
            ["region_of_exploitation"],
            ["regions.id"],
            name="fk_cases_region_of_exploitation_regions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])


def _create_placements() -> None:
    op.create_table(
        "placements",
        _id(),
        _str("case_id", 40),
        _str("facility_id", 100),
        _int("beds"),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("expected_end", sa.Date(), nullable=False),
        sa.Column("actual_end", sa.Date(), nullable=True),
        sa.Column("recorded_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_placements_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name="fk_placements_facility_id_facilities"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_placements"),
    )
    op.create_index("ix_placements_case_id", "placements", ["case_id"])
    op.create_index("ix_placements_facility_id", "placements", ["facility_id"])


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", TZ, server_default=NOW, nullable=False),
        _str("actor"),
        _str("action", 100),
        _str("record_type", 100),
        _str("record_id", 100),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_index("ix_audit_log_record_type_record_id", "audit_log", ["record_type", "record_id"])


def _protect_audit_log() -> None:
    """Refuse UPDATE and DELETE on audit_log in the database itself."""
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
        )


def _unprotect_audit_log() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")


def upgrade() -> None:
    _create_supply_tables()
    _create_availability_reports()
    _create_cases()
    _create_placements()
    _create_audit_log()
    _protect_audit_log()


def downgrade() -> None:
    _unprotect_audit_log()
    op.drop_table("audit_log")
    op.drop_table("placements")
    op.drop_table("cases")
    op.drop_table("availability_reports")
    op.drop_table("facilities")
    op.drop_table("funding_streams")
    op.drop_table("providers")
    op.drop_table("regions")
