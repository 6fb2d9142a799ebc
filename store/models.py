"""The domain's tables as SQLAlchemy models (the service's own tables: :mod:`store.service.models`).

The schema is not the domain model: these rows are mapped to and from the frozen value
objects of :mod:`capacity` by :mod:`store.mapping`. Enumerations are stored
as their string codes and sets as sorted JSON lists, so the same schema (and the same
migrations) work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import UTCDateTime

# Named constraints make migrations reproducible and let SQLite batch mode find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 100  # characters of a slug or record id
CASE_ID_LENGTH = 40  # capacity.cases.CASE_ID_PATTERN allows at most 40
NAME_LENGTH = 200
CODE_LENGTH = 32  # enumeration codes
KEY_LENGTH = 200  # idempotency keys
DETAIL_LENGTH = 2000  # audit detail: short on purpose, never a case file
HASH_LENGTH = 64  # hex SHA-256
SHORT_TEXT_LENGTH = 200  # free text a coordinator may add (never identity data)

NOW = text("CURRENT_TIMESTAMP")  # server time; portable between SQLite and PostgreSQL

# Autoincrementing 64-bit ids; SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with the project's constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), date: Date()}


class RegionRow(Base):
    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    province: Mapped[str] = mapped_column(String(NAME_LENGTH))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    police_unit: Mapped[str] = mapped_column(String(NAME_LENGTH))


class ProviderRow(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))


class FundingStreamRow(Base):
    __tablename__ = "funding_streams"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    payer: Mapped[str] = mapped_column(String(NAME_LENGTH))
    placement_types: Mapped[list[str]] = mapped_column(JSON)
    case_categories: Mapped[list[str]] = mapped_column(JSON)
    region_id: Mapped[str | None] = mapped_column(ForeignKey("regions.id"))
    budget_per_period: Mapped[float | None] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(NAME_LENGTH))


class FacilityRow(Base):
    __tablename__ = "facilities"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    placement_type: Mapped[str] = mapped_column(String(CODE_LENGTH))
    beds: Mapped[int] = mapped_column(Integer)
    funding_stream_id: Mapped[str] = mapped_column(ForeignKey("funding_streams.id"))
    cost_per_bed_day: Mapped[float] = mapped_column(Float)
    specialisms: Mapped[list[str]] = mapped_column(JSON)
    gender_policy: Mapped[str] = mapped_column(String(CODE_LENGTH))
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int] = mapped_column(Integer)
    max_children: Mapped[int] = mapped_column(Integer)
    secret_address: Mapped[bool]
    languages: Mapped[list[str]] = mapped_column(JSON)
    wheelchair_access: Mapped[bool]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class AvailabilityReportRow(Base):
    """The append-only ledger of availability reports."""

    __tablename__ = "availability_reports"
    __table_args__ = (
        Index("ix_availability_reports_facility_id_as_of", "facility_id", "as_of"),
        Index("ix_availability_reports_facility_id_effective_at", "facility_id", "effective_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"))
    beds_free: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[datetime]
    reporter: Mapped[str] = mapped_column(String(NAME_LENGTH))
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(server_default=NOW)
    effective_at: Mapped[datetime]
    """When the count holds: ``as_of``, never later than ``recorded_at`` (issue 10)."""
    beds_free_counted: Mapped[int] = mapped_column(Integer)
    """``beds_free``, at most the beds minus the placements active when it arrived."""


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(CASE_ID_LENGTH), primary_key=True)
    intake_date: Mapped[date]
    age: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(CODE_LENGTH))
    residence_status: Mapped[str] = mapped_column(String(CODE_LENGTH))
    exploitation_type: Mapped[str] = mapped_column(String(CODE_LENGTH))
    region_signalled: Mapped[str] = mapped_column(ForeignKey("regions.id"))
    region_of_exploitation: Mapped[str] = mapped_column(ForeignKey("regions.id"))
    responsible_organisation: Mapped[str] = mapped_column(String(NAME_LENGTH))
    accompanying_children: Mapped[int] = mapped_column(Integer)
    needs: Mapped[list[str]] = mapped_column(JSON)
    safety_risk: Mapped[str] = mapped_column(String(CODE_LENGTH))
    interpreter_language: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    preferred_regions: Mapped[list[str]] = mapped_column(JSON)
    unaccompanied: Mapped[bool]
    status: Mapped[str] = mapped_column(String(CODE_LENGTH), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    updated_at: Mapped[datetime] = mapped_column(server_default=NOW)


class PlacementRow(Base):
    __tablename__ = "placements"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"), index=True)
    beds: Mapped[int] = mapped_column(Integer)
    start: Mapped[date]
    expected_end: Mapped[date]
    actual_end: Mapped[date | None]
    recorded_at: Mapped[datetime | None]


class AuditRow(Base):
    """The append-only audit log (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record_type_record_id", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(server_default=NOW, index=True)
    actor: Mapped[str] = mapped_column(String(NAME_LENGTH), index=True)
    action: Mapped[str] = mapped_column(String(ID_LENGTH))
    record_type: Mapped[str] = mapped_column(String(ID_LENGTH))
    record_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    detail: Mapped[str | None] = mapped_column(Text)


class MatchingRunRow(Base):
    """One matching round: its inputs, criteria, parameters and outcome."""

    __tablename__ = "matching_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    as_of: Mapped[datetime]
    inputs_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    rulebook_version: Mapped[str] = mapped_column(String(ID_LENGTH))
    rulebook_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(CODE_LENGTH))
    objective: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    gap: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(ID_LENGTH))
    build_seconds: Mapped[float] = mapped_column(Float)
    solve_seconds: Mapped[float] = mapped_column(Float)
    cases: Mapped[int] = mapped_column(Integer)
    notes: Mapped[list[str]] = mapped_column(JSON)
    waits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # how the solve went, stage by stage (issue 11); runs stored before it have none
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default=text("'[]'"))
    # the forecast an anticipatory run used and the beds it kept (issue 13); null: myopic
    anticipation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ProposalRow(Base):
    """A proposed placement of a run: pending, accepted, declined or expired."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("matching_runs.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"), index=True)
    beds: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(CODE_LENGTH), index=True)
    explanation: Mapped[str] = mapped_column(Text)
    criteria: Mapped[list[str]] = mapped_column(JSON)
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    decline_reason: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    decline_text: Mapped[str | None] = mapped_column(String(SHORT_TEXT_LENGTH))
    placement_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    respond_by: Mapped[datetime | None] = mapped_column(index=True)
    """Past this moment a pending proposal lapses (issue 14); ``None`` for older rows."""


class DeclinedPairRow(Base):
    """A (case, facility) pair a coordinator declined: never proposed again."""

    __tablename__ = "declined_pairs"
    __table_args__ = (UniqueConstraint("case_id", "facility_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    facility_id: Mapped[str] = mapped_column(ForeignKey("facilities.id"))
    reason: Mapped[str] = mapped_column(String(CODE_LENGTH))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)


class KeepApartRow(Base):
    """Two cases never placed at one facility (issue 14): co-victims who must not meet, a
    suspected recruiter. Stored once per pair, ``case_a < case_b``; never shown to
    policymakers."""

    __tablename__ = "keep_apart_pairs"
    __table_args__ = (UniqueConstraint("case_a", "case_b"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_a: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    case_b: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(CODE_LENGTH))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)


class OrganisationRow(Base):
    """An organisation that may hold cases (issue 14: never free text, never a person)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)


class ErasedCaseCountRow(Base):
    """What is kept of erased cases (issue 16): counts by the figures statistics use.

    A retention run that erases discharged or withdrawn cases adds one row per group it
    erased; the figures of a period are the sums over these rows and the cases still
    stored.
    """

    __tablename__ = "erased_case_counts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    erased_at: Mapped[datetime] = mapped_column(server_default=NOW)
    intake_month: Mapped[str] = mapped_column(String(7), index=True)  # "2024-03"
    status: Mapped[str] = mapped_column(String(CODE_LENGTH))
    region_signalled: Mapped[str] = mapped_column(String(ID_LENGTH))
    exploitation_type: Mapped[str] = mapped_column(String(CODE_LENGTH))
    residence_status: Mapped[str] = mapped_column(String(CODE_LENGTH))
    gender: Mapped[str] = mapped_column(String(CODE_LENGTH))
    age_band: Mapped[str] = mapped_column(String(CODE_LENGTH))
    placed: Mapped[bool]
    cases: Mapped[int] = mapped_column(Integer)


class AuditErasureRow(Base):
    """Lets a retention run delete audit entries older than ``before``, inside its own
    transaction only: the audit log's triggers refuse every other UPDATE and DELETE."""

    __tablename__ = "audit_log_erasure"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    before: Mapped[datetime]
