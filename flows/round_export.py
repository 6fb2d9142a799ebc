"""The live round as a problem file, to share and benchmark (issue 11).

A coordinator or an engineer who wants to know why a national round is slow, or to try a
method on it, needs the round itself: :func:`export_round` prepares it as a matching run
would (:func:`flows.prepare_round`, then :meth:`RoundInputs.build`) and writes its
problem in the ``opvang-problem/1`` format that ``opvang solve`` reads. Case ids stay as
the live data has them (pseudonymous, ``C-2026-0001``); no other case field is in a
problem. An export is audited: one entry for the round (its inputs hash) and one per case read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from capacity import DEFAULT_HORIZON_DAYS, Rulebook
from capacity.staleness import StalenessRule
from flows.matching_run import inputs_hash
from flows.round import prepare_round
from matching import problem_to_dict
from store import audit


@dataclass(frozen=True, slots=True)
class ExportedRound:
    """A round written as a problem.

    Parameters
    ----------
    problem
        The problem file's JSON (``opvang-problem/1``).
    as_of
        The moment of the round.
    inputs_hash
        SHA-256 of the problem's canonical JSON (as a matching run records it).
    cases
        Cases in the round (waiting and proposed).
    """

    problem: dict[str, Any]
    as_of: datetime
    inputs_hash: str
    cases: int


def export_round(
    session: Session,
    *,
    as_of: datetime,
    rulebook: Rulebook,
    by: str,
    staleness: StalenessRule | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ExportedRound:
    """The round as of ``as_of`` as a problem file, its case reads audited (the caller
    owns the transaction).

    Parameters
    ----------
    session
        A unit of work that may write (the audit entries).
    as_of
        The moment of the round (timezone-aware).
    rulebook
        The access criteria, as the matching runs apply them.
    by
        Who exports (the audit's actor).
    staleness
        How facilities without a recent report are planned: the matching runs' rule, so
        the export is the round a run would solve (its ``inputs_hash`` the run's).
    horizon_days
        Days planned, day 0 included.

    Returns
    -------
    ExportedRound
    """
    inputs = prepare_round(
        session, as_of=as_of, rulebook=rulebook, staleness=staleness, horizon_days=horizon_days
    )
    built = inputs.build()
    exported = ExportedRound(
        problem=problem_to_dict(built.problem),
        as_of=as_of,
        inputs_hash=inputs_hash(built),
        cases=len(inputs.cases),
    )
    detail = {"as_of": as_of.isoformat(), "cases": exported.cases}
    audit.record(
        session,
        actor=by,
        action="round.export",
        record_type="round",
        record_id=exported.inputs_hash,
        detail=detail,
    )
    audit.record_reads(
        session,
        actor=by,
        action="round.export",
        case_ids=[c.id for c in inputs.cases],
        detail={"round": exported.inputs_hash},
    )
    return exported
