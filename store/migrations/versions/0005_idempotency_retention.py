"""Idempotency answers expire: an index on their creation time.

Issue 10: the first answer to every write sent with an ``Idempotency-Key`` was kept for
ever, case records included. Answers are now deleted once older than the retention
setting (``OPVANG_IDEMPOTENCY_HOURS``, 24 by default) whenever a new one is stored; the
index keeps that delete cheap.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_idempotent_requests_created_at"


def upgrade() -> None:
    op.create_index(INDEX, "idempotent_requests", ["created_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="idempotent_requests")
