"""A scenario changed without writing YAML (issue 15): beds and budgets per type and region.

A :class:`Variant` lists bed changes (placement type, region, beds more or fewer) and
budget changes (funding stream, euros a year more or less) from day 0, and optionally
another policy or horizon. :func:`variant_texts` turns it into two scenario files on the
same base file: the base under the variant's policy and horizon, and the same with the
changes as ``supply.changes`` (the format of :mod:`scenarios.spec`, applied by
:mod:`scenarios.changes`). Both keep the base's seed, so replication *i* of each meets the
same arrivals and stays and their differences are paired.

Every refusal is an :class:`~scenarios.errors.InvalidVariantError` naming the field
(``beds[0].region``, ``budgets[1].per_year``, ``policy``, ``horizon_days``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from capacity import PlacementType
from capacity.regions import region_ids
from scenarios.errors import InvalidScenarioError, InvalidVariantError
from scenarios.loading import Scenario, parse_scenario
from scenarios.spec import Policy

MAX_HORIZON_DAYS = 730  # days: two years, the longest run the form offers
MAX_BED_CHANGE = 1000  # beds per row: more than the country has of any type
MAX_BUDGET_CHANGE = 1e9  # euros a year per stream: far beyond any stream's budget
_CHANGE_KEY = "supply.changes["


@dataclass(frozen=True, slots=True)
class BedDelta:
    """``beds`` more (negative: fewer) beds of ``placement_type`` in ``region`` from day 0."""

    placement_type: str
    region: str
    beds: int


@dataclass(frozen=True, slots=True)
class BudgetDelta:
    """``per_year`` euros a year more (negative: less) for funding stream ``stream``."""

    stream: str
    per_year: float


@dataclass(frozen=True, slots=True)
class Variant:
    """Changes to a base scenario (``None``: the base's policy or horizon).

    Parameters
    ----------
    beds
        Bed changes, one per placement type and region.
    budgets
        Budget changes, one per funding stream.
    policy
        The policy of both runs (a :class:`~scenarios.spec.Policy` value).
    horizon_days
        Days simulated by both runs.
    """

    beds: tuple[BedDelta, ...] = ()
    budgets: tuple[BudgetDelta, ...] = ()
    policy: str | None = None
    horizon_days: int | None = None


def check_variant(base: Scenario, variant: Variant) -> None:
    """Refuse what the changes cannot mean in ``base`` (before any file is written).

    Raises
    ------
    InvalidVariantError
        An unknown placement type, region, stream or policy; a bed change of 0 or one
        listed twice; beds of a type the scenario has no facility of; an uncapped stream;
        a budget taken below zero; a horizon out of range.
    """
    if variant.policy is not None and variant.policy not in {p.value for p in Policy}:
        allowed = ", ".join(p.value for p in Policy)
        raise InvalidVariantError(
            "policy", f"unknown policy {variant.policy!r} (one of: {allowed})"
        )
    h = variant.horizon_days
    if h is not None and not base.spec.warmup_days < h <= MAX_HORIZON_DAYS:
        low = base.spec.warmup_days + 1
        raise InvalidVariantError("horizon_days", f"must be from {low} to {MAX_HORIZON_DAYS} days")
    _check_beds(base, variant.beds)
    budgets = _day0_budgets(base)
    seen: set[str] = set()
    for i, b in enumerate(variant.budgets):
        key = f"budgets[{i}]"
        if b.stream not in budgets:
            raise InvalidVariantError(f"{key}.stream", f"unknown funding stream {b.stream!r}")
        if b.stream in seen:
            raise InvalidVariantError(f"{key}.stream", f"{b.stream} is listed twice")
        seen.add(b.stream)
        if budgets[b.stream] is None:
            reason = f"{b.stream} has no budget cap to change"
            raise InvalidVariantError(f"{key}.stream", reason)
        if b.per_year == 0 or not abs(b.per_year) <= MAX_BUDGET_CHANGE:
            reason = f"must be from -{MAX_BUDGET_CHANGE:,.0f} to {MAX_BUDGET_CHANGE:,.0f}, not 0"
            raise InvalidVariantError(f"{key}.per_year", f"{reason} (leave the row empty)")
        for day, per_year in _budget_path(base, b.stream):
            if per_year is not None and per_year + b.per_year < 0:
                reason = f"takes the budget of {b.stream} below zero (EUR {per_year:,.0f} a year"
                raise InvalidVariantError(f"{key}.per_year", f"{reason} from day {day})")


def _check_beds(base: Scenario, beds: Sequence[BedDelta]) -> None:
    types = {t.value for t in PlacementType}
    have = {f.placement_type.value for f in base.supply.facilities}
    seen: set[tuple[str, str]] = set()
    for i, d in enumerate(beds):
        key = f"beds[{i}]"
        if d.placement_type not in types:
            reason = f"unknown placement type {d.placement_type!r}"
            raise InvalidVariantError(f"{key}.placement_type", reason)
        if d.region not in region_ids():
            raise InvalidVariantError(f"{key}.region", f"unknown region {d.region!r}")
        if (d.placement_type, d.region) in seen:
            reason = f"{d.placement_type} in {d.region} is listed twice"
            raise InvalidVariantError(f"{key}.region", reason)
        seen.add((d.placement_type, d.region))
        if d.beds == 0 or abs(d.beds) > MAX_BED_CHANGE:
            reason = f"must be from -{MAX_BED_CHANGE} to {MAX_BED_CHANGE}, not 0"
            raise InvalidVariantError(f"{key}.beds", f"{reason} (leave the row empty)")
        if d.beds > 0 and d.placement_type not in have:
            reason = f"the scenario has no {d.placement_type} facility to add beds like"
            raise InvalidVariantError(f"{key}.placement_type", reason)


def variant_texts(
    base: Scenario, base_ref: str, variant: Variant, *, base_dir: str | Path
) -> tuple[str, str]:
    """The two scenario files of a variant: the base, and the base with the changes.

    Parameters
    ----------
    base
        The base scenario, loaded.
    base_ref
        How both files name their base (an example's file name).
    variant
        The changes.
    base_dir
        Where ``base_ref`` is found (each file is loaded once here, so a change that
        cannot apply is refused now, naming its field).

    Returns
    -------
    tuple[str, str]
        Scenario YAML (``opvang-scenario/1``): the unchanged base, then the variant.

    Raises
    ------
    InvalidVariantError
        As :func:`check_variant`, and beds removed beyond those there are.
    """
    check_variant(base, variant)
    spec = base.spec
    policy = variant.policy or spec.policy.value
    horizon = variant.horizon_days or spec.horizon_days
    name = spec.name if policy == spec.policy.value else f"{Path(base_ref).stem}-{policy}"
    name += "" if horizon == spec.horizon_days else f"-{horizon}-days"
    common: dict[str, Any] = {"base": base_ref}
    common |= {"policy": policy} if policy != spec.policy.value else {}
    common |= {"horizon_days": horizon} if horizon != spec.horizon_days else {}
    plain = {**common, "name": name, "description": f"{spec.name}, unchanged"}
    own, changes = _changes(base, variant)
    changed = {
        **common,
        "name": f"{name}-changed",
        "description": f"{spec.name} with, from day 0: " + "; ".join(_described(variant)),
        "supply": {"changes": changes},
    }
    texts = (_dump(plain), _dump(changed))
    try:
        for text in texts:
            parse_scenario(text, source=base_ref, base_dir=base_dir)
    except InvalidScenarioError as exc:
        raise _field_of(exc, own) from None
    return texts


def _dump(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True)


def _changes(base: Scenario, variant: Variant) -> tuple[int, list[dict[str, Any]]]:
    """The base's own changes (a file's list replaces its base's, so they are repeated,
    their budgets moved by the variant's), then the variant's; and where those begin."""
    moved = {b.stream: b.per_year for b in variant.budgets}
    out: list[dict[str, Any]] = []
    day0 = set()
    for c in base.spec.supply.changes:
        doc = c.model_dump(mode="json", exclude_none=True)
        if c.budget is not None and c.budget.stream in moved and c.budget.per_year is not None:
            doc["budget"]["per_year"] = round(c.budget.per_year + moved[c.budget.stream], 2)
            day0 |= {c.budget.stream} if c.day == 0 else set()
        out.append(doc)
    own = len(out)
    for d in variant.beds:
        beds: dict[str, Any] = {"placement_type": d.placement_type, "region": d.region}
        if d.beds > 0:
            beds |= {"add": d.beds, **_like(base, d)}
        else:
            beds |= {"remove": -d.beds}
        out.append({"day": 0, "beds": beds})
    budgets = _day0_budgets(base)
    for b in variant.budgets:
        now = budgets[b.stream]
        if b.stream not in day0 and now is not None:
            per_year = round(now + b.per_year, 2)
            out.append({"day": 0, "budget": {"stream": b.stream, "per_year": per_year}})
    return own, out


def _like(base: Scenario, d: BedDelta) -> dict[str, str]:
    """No key when the region has a facility of the type (the scenario's own rule: the
    largest there); else a new facility there, a copy of the type's first elsewhere."""
    same = [f for f in base.supply.facilities if f.placement_type.value == d.placement_type]
    if any(f.region_id == d.region for f in same):
        return {}
    return {"like": min(same, key=lambda f: f.id).id}


def day0_budget(base: Scenario, stream_id: str) -> float | None:
    """A stream's budget a year on day 0 (``None``: not capped); the base's day-0 budget
    change where it has one, else the stream's own budget.

    Parameters
    ----------
    base
        The scenario.
    stream_id
        One of its funding streams.
    """
    stream = next(s for s in base.supply.streams if s.id == stream_id)
    day0 = [
        b.per_year
        for b in base.supply.budget_steps
        if b.day == 0 and base.supply.streams[b.stream].id == stream_id
    ]
    return day0[-1] if day0 else stream.budget_per_period  # the last one applies


def _day0_budgets(base: Scenario) -> dict[str, float | None]:
    return {s.id: day0_budget(base, s.id) for s in base.supply.streams}


def _budget_path(base: Scenario, stream_id: str) -> list[tuple[int, float | None]]:
    """The stream's budget a year from each day it changes (day 0 first)."""
    later = [
        (b.day, b.per_year)
        for b in base.supply.budget_steps
        if b.day > 0 and base.supply.streams[b.stream].id == stream_id
    ]
    return [(0, day0_budget(base, stream_id)), *later]


def _described(variant: Variant) -> list[str]:
    beds = [f"{d.beds:+d} {d.placement_type} beds in {d.region}" for d in variant.beds]
    money = [f"{b.stream} budget {b.per_year:+,.0f} EUR a year" for b in variant.budgets]
    return [*beds, *money] or ["no changes"]


def _field_of(exc: InvalidScenarioError, own: int) -> InvalidVariantError:
    """The loader's refusal of the variant's files, named by the variant's field."""
    if exc.key in ("policy", "cadence", "rulebook"):  # a policy the base's settings refuse
        return InvalidVariantError("policy", f"{exc.key}: {exc.reason}")
    if exc.key in ("horizon_days", "warmup_days") or ".at_days[" in exc.key:
        return InvalidVariantError("horizon_days", f"{exc.key}: {exc.reason}")
    if exc.key.startswith(_CHANGE_KEY):
        index, _, rest = exc.key[len(_CHANGE_KEY) :].partition("]")
        row = int(index) - own
        if row >= 0 and rest.startswith(".beds"):
            field = "region" if rest.endswith((".like", ".region")) else "beds"
            return InvalidVariantError(f"beds[{row}].{field}", exc.reason)
    return InvalidVariantError("", str(exc))


def beds_on_day0(scenario: Scenario) -> dict[tuple[str, str], int]:
    """Beds per (placement type, region) on day 0, the day-0 changes applied."""
    beds = list(scenario.supply.initial_beds)
    for step in scenario.supply.bed_steps:
        if step.day == 0:
            beds[step.facility] += step.delta
    out: dict[tuple[str, str], int] = {}
    for f, n in zip(scenario.supply.facilities, beds, strict=True):
        key = (f.placement_type.value, f.region_id)
        out[key] = out.get(key, 0) + n
    return out
