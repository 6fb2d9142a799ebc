"""Scrub identity data from cases' responsible organisations stored before the rule.

Issue 16 made the responsible organisation a name from a managed list and refused texts
that look like a phone number, an e-mail address, a date of birth, a postcode or a BSN.
Rows stored before that rule still held such texts ("Jan de Vries 06-12345678"), and
each one made the whole waiting list and every matching round fail to load. This
migration replaces such a text by a placeholder organisation, takes such names off the
organisation list, and writes one audit entry per changed case and per removed name;
the audit entry names the rule, never the text. The text is not kept anywhere: the
downgrade cannot bring it back (on purpose).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from capacity.personal_data import personal_data_in

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACEHOLDER = "Organisation not recorded (removed: personal data)"
ACTOR = "opvang db upgrade"

_cases = sa.table("cases", sa.column("id"), sa.column("responsible_organisation"))
_organisations = sa.table("organisations", sa.column("id"), sa.column("name"))
_audit = sa.table(
    "audit_log",
    sa.column("actor"),
    sa.column("action"),
    sa.column("record_type"),
    sa.column("record_id"),
    sa.column("detail"),
)


def _entry(action: str, record_type: str, record_id: str, reason: str) -> dict[str, str]:
    return {
        "actor": ACTOR,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "detail": json.dumps({"reason": reason, "migration": revision}),
    }


def upgrade() -> None:
    bind = op.get_bind()
    entries: list[dict[str, str]] = []
    rows = bind.execute(sa.select(_cases.c.id, _cases.c.responsible_organisation)).all()
    for case_id, text in rows:
        reason = personal_data_in(text or "")
        if reason is None:
            continue
        bind.execute(
            _cases.update()
            .where(_cases.c.id == case_id)
            .values(responsible_organisation=PLACEHOLDER)
        )
        entries.append(_entry("case.organisation_scrubbed", "case", str(case_id), reason))
    for org_id, name in bind.execute(sa.select(_organisations.c.id, _organisations.c.name)):
        reason = personal_data_in(name or "")
        if reason is None:
            continue
        bind.execute(_organisations.delete().where(_organisations.c.id == org_id))
        entries.append(_entry("organisation.remove", "organisation", str(org_id), reason))
    scrubbed_cases = any(e["record_type"] == "case" for e in entries)
    listed = bind.execute(
        sa.select(_organisations.c.id).where(_organisations.c.name == PLACEHOLDER)
    ).first()
    if scrubbed_cases and listed is None:
        bind.execute(_organisations.insert().values(name=PLACEHOLDER))
    if entries:
        bind.execute(_audit.insert(), entries)


def downgrade() -> None:
    """Nothing to undo in the schema; the scrubbed texts are gone for good."""
