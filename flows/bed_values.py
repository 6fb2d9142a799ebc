"""The value of one more bed per placement type and region (issue 15), for policymakers.

One flow for the demo, ``GET /v1/stats/bed-values`` and the dashboard's bed-values page:
the round of :func:`flows.prepare_round` is built and :func:`matching.bed_values` values
one more bed at every facility from the LP relaxation, within a wall-clock limit, keeping
per placement type and region the facility where the bed is worth most. Supply figures
are not data about people: nothing is suppressed, and nothing about a case is returned
(the values are sums over the waiting list, in priority-weighted waiting days).

Call it outside a write transaction: the LPs take seconds, and the round's inputs are
value objects read before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from matching import BedValue, BuiltProblem, MatchingError, bed_values

DEFAULT_BED_VALUE_SECONDS = 10.0  # wall-clock seconds for all the LPs of one call
MAX_BED_VALUE_SECONDS = 60.0  # seconds: the most a request may ask for
NAMED_SKIPPED = 5  # facilities named in the note when values are incomplete


@dataclass(frozen=True, slots=True)
class BedValueReport:
    """Bed values of one round and how complete they are.

    Parameters
    ----------
    as_of
        The round's moment.
    rulebook_version
        The criteria the round applied.
    horizon_days
        Days planned: a value is the weighted waiting days saved over these days.
    time_limit
        Wall-clock seconds the values were given.
    facilities
        Facilities in the round.
    values
        Per placement type and region worth anything, most valuable first.
    skipped
        Facilities not valued before the time was up (their groups may be worth more
        than listed, or be missing).
    failure
        Why no value was computed at all when the LP failed (it never should).
    """

    as_of: datetime
    rulebook_version: str
    horizon_days: int
    time_limit: float
    facilities: int
    values: tuple[BedValue, ...]
    skipped: tuple[str, ...] = ()
    failure: str | None = None

    @property
    def complete(self) -> bool:
        """Every facility was valued."""
        return not self.skipped and self.failure is None

    @property
    def note(self) -> str | None:
        """What a reader must know when the values are incomplete; ``None`` when complete."""
        if self.failure is not None:
            return f"Extra-bed values skipped: {self.failure}"
        if not self.skipped:
            return None
        n = len(self.skipped)
        shown = ", ".join(self.skipped[:NAMED_SKIPPED]) + (", ..." if n > NAMED_SKIPPED else "")
        rest = "none was valued" if n == self.facilities else "the table ranks the others"
        return (
            f"Extra-bed values not computed within {self.time_limit:g} s for {n} "
            f"{'facility' if n == 1 else 'facilities'} ({shown}); {rest}."
        )


def extra_bed_values(
    built: BuiltProblem, *, time_limit: float = DEFAULT_BED_VALUE_SECONDS
) -> BedValueReport:
    """The value of one more bed per placement type and region in this round.

    Parameters
    ----------
    built
        The round's problem (``flows.prepare_round(...).build()``).
    time_limit
        Wall-clock seconds for all the LPs; what is not valued by then is named in
        :attr:`BedValueReport.skipped`.

    Returns
    -------
    BedValueReport
        A failing LP is reported in :attr:`BedValueReport.failure`, not raised: the
        callers show what they have.
    """
    try:
        values = bed_values(built, time_limit=time_limit)
    except MatchingError as exc:
        return _report(built, time_limit, (), (), failure=str(exc))
    return _report(built, time_limit, tuple(values), values.skipped)


def _report(
    built: BuiltProblem,
    time_limit: float,
    values: tuple[BedValue, ...],
    skipped: tuple[str, ...],
    *,
    failure: str | None = None,
) -> BedValueReport:
    return BedValueReport(
        as_of=built.snapshot.as_of,
        rulebook_version=built.rulebook.version,
        horizon_days=built.problem.horizon_days,
        time_limit=time_limit,
        facilities=built.problem.n_facilities,
        values=values,
        skipped=skipped,
        failure=failure,
    )
