"""Reading and writing the ``opvang-problem/1`` JSON format (``docs/problem-format.md``).

Parsing checks the shape of every entry (unknown keys, types, signs) and names the entry
at fault; :func:`matching.problem.validate` then checks the whole.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from matching.errors import InvalidProblemError
from matching.problem import FORMAT, NO_STAY, NO_STREAM, MatchingProblem

_TOP_KEYS = {
    "format",
    "horizon_days",
    "unplaced_penalty_days",
    "facilities",
    "cases",
    "options",
    "budgets",
    "keep_apart",
}
_FACILITY_KEYS = {"id", "free_beds"}
_CASE_KEYS = {"id", "beds", "weight"}
_OPTION_KEYS = {"case", "facility", "penalty", "stay_days", "cost", "stream"}
_BUDGET_KEYS = {"stream", "amount"}
MAX_INT = int(np.iinfo(np.int32).max)  # beds, days and stays are stored as int32


def _bad(entry: str, reason: str) -> InvalidProblemError:
    return InvalidProblemError(entry, reason)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _entries(
    data: dict[str, Any], key: str, keys: set[str], required: set[str], *, optional: bool = False
) -> list[dict[str, Any]]:
    if key not in data and not optional:
        raise _bad(key, "missing key (a list, [] when there are none)")
    items = data.get(key, [])
    if not isinstance(items, list):
        raise _bad(key, "must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _bad(f"{key}[{i}]", "must be an object")
        unknown = sorted(set(item) - keys)
        if unknown:
            raise _bad(f"{key}[{i}]", f"unknown key {unknown[0]!r}")
        missing = sorted(required - set(item))
        if missing:
            raise _bad(f"{key}[{i}]", f"missing key {missing[0]!r}")
    return items


def _number(
    entry: str, name: str, value: Any, *, integer: bool = False, minimum: float = 0
) -> float:
    ok = _is_int(value) if integer else _is_number(value)
    kind = "a whole number" if integer else "a number"
    if not ok or value < minimum:
        raise _bad(entry, f"{name} must be {kind} of at least {minimum:g}")
    if integer and value > MAX_INT:
        raise _bad(entry, f"{name} must be at most {MAX_INT}")
    return float(value)


def problem_from_dict(data: Any) -> MatchingProblem:
    """Build a problem from parsed JSON.

    Raises
    ------
    InvalidProblemError
        Naming the entry (``"options[3] (C1 -> F9)"``) and the reason.
    """
    if not isinstance(data, dict):
        raise _bad("", "the file must hold one JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _bad(unknown[0], "unknown key")
    if data.get("format") != FORMAT:
        raise _bad("format", f"must be {FORMAT!r}")
    horizon: int = data.get("horizon_days")  # type: ignore[assignment]  # checked next
    if not _is_int(horizon) or horizon < 1:
        raise _bad("horizon_days", "must be a whole number of at least 1")
    if horizon > MAX_INT:
        raise _bad("horizon_days", f"must be at most {MAX_INT}")
    unplaced: float = data.get("unplaced_penalty_days", horizon)
    if not _is_number(unplaced) or unplaced < 0:
        raise _bad("unplaced_penalty_days", "must be a number of at least 0")

    facilities = _entries(data, "facilities", _FACILITY_KEYS, {"id", "free_beds"})
    fac_ids = tuple(_ident(f"facilities[{i}]", f["id"]) for i, f in enumerate(facilities))
    for i, fac in enumerate(facilities):  # checked before allocating horizon_days columns
        entry = f"facilities[{i}] ({fac_ids[i]})"
        beds = fac["free_beds"]
        if not isinstance(beds, list) or len(beds) != horizon:
            raise _bad(entry, f"free_beds must list exactly {horizon} values (horizon_days)")
        if not all(_is_int(b) and b >= 0 for b in beds):
            raise _bad(entry, "free_beds must be whole numbers of at least 0")
        if any(b > MAX_INT for b in beds):
            raise _bad(entry, f"free_beds must be at most {MAX_INT}")
    free = np.array([f["free_beds"] for f in facilities], dtype=np.int32).reshape(
        len(facilities), horizon
    )

    cases = _entries(data, "cases", _CASE_KEYS, {"id"})
    case_ids = tuple(_ident(f"cases[{i}]", c["id"]) for i, c in enumerate(cases))
    beds = [
        int(
            _number(
                f"cases[{i}] ({case_ids[i]})", "beds", c.get("beds", 1), integer=True, minimum=1
            )
        )
        for i, c in enumerate(cases)
    ]
    weight = [
        _number(f"cases[{i}] ({case_ids[i]})", "weight", c.get("weight", 1.0))
        for i, c in enumerate(cases)
    ]

    budgets = _entries(data, "budgets", _BUDGET_KEYS, {"stream", "amount"}, optional=True)
    stream_ids: list[str] = []
    amounts: dict[str, float] = {}
    for i, b in enumerate(budgets):
        sid = _ident(f"budgets[{i}]", b["stream"])
        if sid in amounts:
            raise _bad(f"budgets[{i}] ({sid})", "stream has a budget twice")
        amounts[sid] = _number(f"budgets[{i}] ({sid})", "amount", b["amount"])
        stream_ids.append(sid)

    options = _entries(data, "options", _OPTION_KEYS, {"case", "facility"})
    arrays = _option_arrays(options, case_ids, fac_ids, stream_ids)
    budget = np.array([amounts.get(s, math.inf) for s in stream_ids], dtype=np.float64)
    keep_apart = _keep_apart(data.get("keep_apart", []), case_ids)
    return MatchingProblem(
        keep_apart=keep_apart,
        horizon_days=horizon,
        unplaced_penalty_days=float(unplaced),
        facility_ids=fac_ids,
        free_beds=free,
        case_ids=case_ids,
        case_beds=np.array(beds, dtype=np.int32),
        case_weight=np.array(weight, dtype=np.float64),
        stream_ids=tuple(stream_ids),
        budget=budget,
        **arrays,
    )


def _keep_apart(pairs: Any, case_ids: tuple[str, ...]) -> Any:
    if not isinstance(pairs, list):
        raise _bad("keep_apart", "must be a list of [case, case] pairs")
    case_at = {c: i for i, c in enumerate(case_ids)}
    out = np.zeros((len(pairs), 2), dtype=np.int32)
    for i, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 2:
            raise _bad(f"keep_apart[{i}]", "must be a pair of case ids")
        for j, case in enumerate(pair):
            if not isinstance(case, str) or case not in case_at:  # a list is no id (unhashable)
                raise _bad(f"keep_apart[{i}]", f"unknown case {case!r}")
            out[i, j] = case_at[case]
    return out


def _ident(entry: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _bad(entry, "id must be a non-empty string")
    return value


def _option_arrays(
    options: list[dict[str, Any]],
    case_ids: tuple[str, ...],
    fac_ids: tuple[str, ...],
    stream_ids: list[str],
) -> dict[str, Any]:
    case_at = {c: i for i, c in enumerate(case_ids)}
    fac_at = {f: i for i, f in enumerate(fac_ids)}
    stream_at = {s: i for i, s in enumerate(stream_ids)}
    n = len(options)
    cols: dict[str, Any] = {
        "opt_case": np.zeros(n, np.int32),
        "opt_facility": np.zeros(n, np.int32),
        "opt_penalty": np.zeros(n, np.float64),
        "opt_stay": np.full(n, NO_STAY, np.int32),
        "opt_cost": np.zeros(n, np.float64),
        "opt_stream": np.full(n, NO_STREAM, np.int32),
    }
    for k, opt in enumerate(options):
        entry = f"options[{k}] ({opt.get('case')} -> {opt.get('facility')})"
        # ids are strings; checking the type first keeps a list or object from raising TypeError
        if not isinstance(opt["case"], str) or opt["case"] not in case_at:
            raise _bad(entry, f"unknown case {opt['case']!r}")
        if not isinstance(opt["facility"], str) or opt["facility"] not in fac_at:
            raise _bad(entry, f"unknown facility {opt['facility']!r}")
        cols["opt_case"][k] = case_at[opt["case"]]
        cols["opt_facility"][k] = fac_at[opt["facility"]]
        cols["opt_penalty"][k] = _number(entry, "penalty", opt.get("penalty", 0.0))
        cols["opt_cost"][k] = _number(entry, "cost", opt.get("cost", 0.0))
        # absent means "to the end of the horizon" and "no stream"; null is refused as the
        # schema refuses it, so a value lost on the way is not read as one of those
        if "stay_days" in opt:
            stay = opt["stay_days"]
            if stay is None:
                raise _bad(
                    entry,
                    "stay_days must be a whole number of at least 1 (leave it out for a "
                    "stay to the end of the horizon)",
                )
            cols["opt_stay"][k] = int(_number(entry, "stay_days", stay, integer=True, minimum=1))
        if "stream" in opt:
            sid = opt["stream"]
            if not isinstance(sid, str) or not sid:
                raise _bad(entry, "stream must be a non-empty string (leave it out for no stream)")
            if sid not in stream_at:
                stream_at[sid] = len(stream_ids)
                stream_ids.append(sid)
            cols["opt_stream"][k] = stream_at[sid]
    return cols


def problem_to_dict(p: MatchingProblem) -> dict[str, Any]:
    """The JSON-ready dictionary of a problem; inverse of :func:`problem_from_dict`."""
    options = []
    for k in range(p.n_options):
        opt: dict[str, Any] = {
            "case": p.case_ids[int(p.opt_case[k])],
            "facility": p.facility_ids[int(p.opt_facility[k])],
            "penalty": float(p.opt_penalty[k]),
            "cost": float(p.opt_cost[k]),
        }
        if p.opt_stay[k] != NO_STAY:
            opt["stay_days"] = int(p.opt_stay[k])
        if p.opt_stream[k] != NO_STREAM:
            opt["stream"] = p.stream_ids[int(p.opt_stream[k])]
        options.append(opt)
    out: dict[str, Any] = {
        "format": FORMAT,
        "horizon_days": p.horizon_days,
        "unplaced_penalty_days": p.unplaced_penalty_days,
        "facilities": [
            {"id": f, "free_beds": p.free_beds[i].tolist()} for i, f in enumerate(p.facility_ids)
        ],
        "cases": [
            {"id": c, "beds": int(p.case_beds[i]), "weight": float(p.case_weight[i])}
            for i, c in enumerate(p.case_ids)
        ],
        "options": options,
        "budgets": [
            {"stream": s, "amount": float(p.budget[i])}
            for i, s in enumerate(p.stream_ids)
            if math.isfinite(p.budget[i])
        ],
    }
    if p.keep_apart.shape[0]:
        out["keep_apart"] = [[p.case_ids[a], p.case_ids[b]] for a, b in p.keep_apart.tolist()]
    return out
