"""The live round as a problem file (issue 11): prepared as a matching run would be."""

from __future__ import annotations

from datetime import datetime

import flows
from api.database import Database
from capacity import Rulebook
from store.service import StoredUser


def get_problem(
    db: Database, *, now: datetime, rulebook: Rulebook, user: StoredUser
) -> flows.ExportedRound:
    """The current round in the ``opvang-problem/1`` format, its case reads audited."""
    with db.audited_read() as session:
        return flows.export_round(session, as_of=now, rulebook=rulebook, by=user.name)
