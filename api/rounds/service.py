"""The live round as a problem file (issue 11): prepared as a matching run would be."""

from __future__ import annotations

from datetime import datetime

import flows
from api.database import Database
from api.settings import ApiSettings
from capacity import Rulebook
from store.service import StoredUser


def get_problem(
    db: Database, *, now: datetime, rulebook: Rulebook, user: StoredUser, settings: ApiSettings
) -> flows.ExportedRound:
    """The current round in the ``opvang-problem/1`` format, its case reads audited: the
    round a matching run would solve now (the same staleness rule)."""
    with db.audited_read() as session:
        return flows.export_round(
            session,
            as_of=now,
            rulebook=rulebook,
            by=user.name,
            staleness=settings.staleness_rule(),
        )
