"""Scrub identity data from declines' texts stored before the rule.

Since 5b7e33e a decline's free text that looks like a phone number, a BSN, an e-mail
address, a date or a postcode is refused (422 naming ``body.text``): it says why a place
was declined, never who. Texts stored before that rule are still shown on the case's
timeline and by ``GET /v1/proposals``. This migration replaces each such text by a
placeholder and writes one audit entry per changed proposal; the entry names the rule,
never the text. The text is not kept anywhere: the downgrade cannot bring it back (on
purpose), as with 0013.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from capacity.personal_data import personal_data_in

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACEHOLDER = "Text removed: personal data"
ACTOR = "opvang db upgrade"
BATCH = 1_000  # proposals read at a time

_proposals = sa.table("proposals", sa.column("id"), sa.column("decline_text"))
_audit = sa.table(
    "audit_log",
    sa.column("actor"),
    sa.column("action"),
    sa.column("record_type"),
    sa.column("record_id"),
    sa.column("detail"),
)


def upgrade() -> None:
    bind = op.get_bind()
    found: list[tuple[int, str]] = []
    query = (
        sa.select(_proposals.c.id, _proposals.c.decline_text)
        .where(_proposals.c.decline_text.is_not(None))
        .order_by(_proposals.c.id)
    )
    for rows in bind.execute(query).partitions(BATCH):
        for proposal_id, text in rows:
            reason = personal_data_in(text or "")
            if reason is not None:
                found.append((proposal_id, reason))
    for proposal_id, _ in found:
        bind.execute(
            _proposals.update()
            .where(_proposals.c.id == proposal_id)
            .values(decline_text=PLACEHOLDER)
        )
    if found:
        bind.execute(
            _audit.insert(),
            [
                {
                    "actor": ACTOR,
                    "action": "proposal.decline_text_scrubbed",
                    "record_type": "proposal",
                    "record_id": str(proposal_id),
                    "detail": json.dumps({"reason": reason, "migration": revision}),
                }
                for proposal_id, reason in found
            ],
        )


def downgrade() -> None:
    """Nothing to undo in the schema; the scrubbed texts are gone for good."""
