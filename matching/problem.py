"""The immutable matching problem: cases, facilities, eligible options, free beds, budgets.

This is the public contract documented in ``docs/problem-format.md``. Arrays are numpy and
read-only; option ``k`` is the pair ``(opt_case[k], opt_facility[k])``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.errors import InvalidProblemError

FORMAT = "opvang-problem/1"
NO_STAY = -1  # sentinel in opt_stay: the placement lasts to the end of the horizon
NO_STREAM = -1  # sentinel in opt_stream: the option is paid by no stream

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class MatchingProblem:
    """One matching round as data.

    Parameters
    ----------
    horizon_days
        Days planned, day 0 included.
    unplaced_penalty_days
        Extra days an unplaced case counts as waiting beyond the horizon.
    facility_ids
        Facility identifiers, row order of ``free_beds``.
    free_beds
        ``(n_facilities, horizon_days)`` beds free before any new placement.
    case_ids, case_beds, case_weight
        Cases, the beds each needs (a family is one case) and the weight of one waiting day.
    opt_case, opt_facility
        For each option, the case index and facility index.
    opt_penalty, opt_stay, opt_cost, opt_stream
        For each option: penalty in weighted days, stay in days (``NO_STAY``: to the end of
        the horizon), cost in euros and funding-stream index (``NO_STREAM``: none).
    stream_ids
        Funding streams named by options or budgets.
    budget
        Per stream, the amount available (``inf`` when the stream has no budget).
    keep_apart
        ``(m, 2)`` case-index pairs never placed at the same facility (co-victims of one
        case, a suspected recruiter); each pair once, in either order.
    """

    horizon_days: int
    unplaced_penalty_days: float
    facility_ids: tuple[str, ...]
    free_beds: IntArray
    case_ids: tuple[str, ...]
    case_beds: IntArray
    case_weight: FloatArray
    opt_case: IntArray
    opt_facility: IntArray
    opt_penalty: FloatArray
    opt_stay: IntArray
    opt_cost: FloatArray
    opt_stream: IntArray
    stream_ids: tuple[str, ...] = ()
    budget: FloatArray = field(default_factory=lambda: np.zeros(0))
    keep_apart: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int32))

    def __post_init__(self) -> None:
        for name in (
            "free_beds",
            "case_beds",
            "case_weight",
            "opt_case",
            "opt_facility",
            "opt_penalty",
            "opt_stay",
            "opt_cost",
            "opt_stream",
            "budget",
            "keep_apart",
        ):
            arr = np.ascontiguousarray(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        validate(self)

    # sizes -----------------------------------------------------------------------------
    @property
    def n_cases(self) -> int:
        """Number of cases."""
        return len(self.case_ids)

    @property
    def n_facilities(self) -> int:
        """Number of facilities."""
        return len(self.facility_ids)

    @property
    def n_options(self) -> int:
        """Number of options (eligible case, facility pairs)."""
        return int(self.opt_case.shape[0])

    @property
    def unplaced_cost(self) -> FloatArray:
        """Per case, the objective contribution of leaving it unplaced."""
        return self.case_weight * (self.horizon_days + self.unplaced_penalty_days)

    @property
    def stay_to(self) -> IntArray:
        """Per option, stay in days capped at the horizon (``NO_STAY`` becomes the horizon)."""
        stay = np.where(self.opt_stay == NO_STAY, self.horizon_days, self.opt_stay)
        return np.minimum(stay, self.horizon_days).astype(np.int32)

    @property
    def has_budgets(self) -> bool:
        """Whether any stream has a finite budget."""
        return bool(np.isfinite(self.budget).any())

    def case_index(self) -> MappingProxyType[str, int]:
        """Index of each case id."""
        return MappingProxyType({c: i for i, c in enumerate(self.case_ids)})

    def facility_index(self) -> MappingProxyType[str, int]:
        """Index of each facility id."""
        return MappingProxyType({f: i for i, f in enumerate(self.facility_ids)})

    def options_of_case(self) -> list[IntArray]:
        """Option indices grouped by case."""
        order = np.argsort(self.opt_case, kind="stable")
        bounds = np.searchsorted(self.opt_case[order], np.arange(self.n_cases + 1))
        return [order[bounds[i] : bounds[i + 1]].astype(np.int32) for i in range(self.n_cases)]

    def to_dict(self) -> dict[str, Any]:
        """The problem in its JSON file format (see ``docs/problem-format.md``)."""
        from matching.problem_io import problem_to_dict

        return problem_to_dict(self)


def _bad(entry: str, reason: str) -> InvalidProblemError:
    return InvalidProblemError(entry, reason)


def _check_ids(kind: str, ids: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if not isinstance(ident, str) or not ident:
            raise _bad(f"{kind}[{i}]", "id must be a non-empty string")
        if ident in seen:
            raise _bad(f"{kind}[{i}] ({ident})", "duplicate id")
        seen.add(ident)


def _option_entry(p: MatchingProblem, k: int) -> str:
    c, f = int(p.opt_case[k]), int(p.opt_facility[k])
    case = p.case_ids[c] if 0 <= c < p.n_cases else "?"
    fac = p.facility_ids[f] if 0 <= f < p.n_facilities else "?"
    return f"options[{k}] ({case} -> {fac})"


def _first(mask: npt.ArrayLike) -> int | None:
    hits = np.flatnonzero(np.asarray(mask))
    return int(hits[0]) if hits.size else None


def validate(p: MatchingProblem) -> None:  # noqa: C901, PLR0912, PLR0915 (flat list of checks)
    """Check every rule of the format; raise :class:`InvalidProblemError` naming the entry."""
    if (
        isinstance(p.horizon_days, bool)
        or not isinstance(p.horizon_days, int)
        or p.horizon_days < 1
    ):
        raise _bad("horizon_days", "must be a whole number of at least 1")
    if not np.isfinite(p.unplaced_penalty_days) or p.unplaced_penalty_days < 0:
        raise _bad("unplaced_penalty_days", "must be a number of at least 0")
    _check_ids("facilities", p.facility_ids)
    _check_ids("cases", p.case_ids)
    _check_ids("streams", p.stream_ids)
    if p.free_beds.shape != (p.n_facilities, p.horizon_days):
        raise _bad("facilities", f"free_beds must be {p.n_facilities} x {p.horizon_days}")
    if (row := _first((p.free_beds < 0).any(axis=1))) is not None:
        raise _bad(f"facilities[{row}] ({p.facility_ids[row]})", "free_beds must not be negative")
    if p.case_beds.shape != (p.n_cases,) or p.case_weight.shape != (p.n_cases,):
        raise _bad("cases", "beds and weight need one value per case")
    if (i := _first(p.case_beds < 1)) is not None:
        raise _bad(f"cases[{i}] ({p.case_ids[i]})", "beds must be at least 1")
    if (i := _first(~np.isfinite(p.case_weight) | (p.case_weight < 0))) is not None:
        raise _bad(f"cases[{i}] ({p.case_ids[i]})", "weight must be a number of at least 0")
    n = p.n_options
    for name in ("opt_facility", "opt_penalty", "opt_stay", "opt_cost", "opt_stream"):
        if getattr(p, name).shape != (n,):
            raise _bad("options", f"{name} needs one value per option")
    if (k := _first((p.opt_case < 0) | (p.opt_case >= p.n_cases))) is not None:
        raise _bad(f"options[{k}]", "unknown case")
    if (k := _first((p.opt_facility < 0) | (p.opt_facility >= p.n_facilities))) is not None:
        raise _bad(f"options[{k}]", "unknown facility")
    if (k := _first(~np.isfinite(p.opt_penalty) | (p.opt_penalty < 0))) is not None:
        raise _bad(_option_entry(p, k), "penalty must be a number of at least 0")
    if (k := _first((p.opt_stay != NO_STAY) & (p.opt_stay < 1))) is not None:
        raise _bad(_option_entry(p, k), "stay_days must be at least 1")
    if (k := _first(~np.isfinite(p.opt_cost) | (p.opt_cost < 0))) is not None:
        raise _bad(_option_entry(p, k), "cost must be a number of at least 0")
    if (k := _first((p.opt_stream < NO_STREAM) | (p.opt_stream >= len(p.stream_ids)))) is not None:
        raise _bad(_option_entry(p, k), "unknown stream")
    if n:
        key = p.opt_case.astype(np.int64) * max(p.n_facilities, 1) + p.opt_facility
        order = np.argsort(key, kind="stable")
        dup = np.flatnonzero(np.diff(key[order]) == 0)
        if dup.size:
            raise _bad(_option_entry(p, int(order[dup[0] + 1])), "option listed twice")
    if p.budget.shape != (len(p.stream_ids),):
        raise _bad("budgets", "need one amount per stream")
    if (s := _first(np.isnan(p.budget) | (p.budget < 0))) is not None:
        raise _bad(f"budgets ({p.stream_ids[s]})", "amount must be a number of at least 0")
    pairs = p.keep_apart
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise _bad("keep_apart", "must be a list of case pairs")
    if (i := _first(((pairs < 0) | (pairs >= p.n_cases)).any(axis=1))) is not None:
        raise _bad(f"keep_apart[{i}]", "unknown case")
    if (i := _first(pairs[:, 0] == pairs[:, 1])) is not None:
        raise _bad(f"keep_apart[{i}]", "a case cannot be kept apart from itself")
    first_at: dict[tuple[int, int], int] = {}
    for i, (a, b) in enumerate(pairs.tolist()):
        j = first_at.setdefault((min(a, b), max(a, b)), i)
        if j != i:
            raise _bad(
                f"keep_apart[{i}] ({p.case_ids[a]}, {p.case_ids[b]})",
                f"pair listed twice (first as keep_apart[{j}], in either order)",
            )
