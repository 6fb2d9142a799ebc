"""The scenarios page's form "change the national demo" (issue 15): rows of beds per
placement type and region and of budgets per funding stream, read into a
:class:`scenarios.Variant`; its refusals put back beside the fields they are about.

A row left empty is skipped; a row half filled is an error on its empty field. Field
names are ``beds-ROW-placement_type``, ``beds-ROW-region``, ``beds-ROW-beds``,
``budgets-ROW-stream``, ``budgets-ROW-per_year`` and ``change_*`` for the settings, so
they do not meet the first form's fields on the same page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from api.web.forms import FieldErrors, text, whole_number
from api.web.scenario_jobs import EXAMPLES
from api.web.variant_jobs import DEFAULT_BASE, base_scenario
from capacity import CATALOGUE, REGIONS
from scenarios import BedDelta, BudgetDelta, Policy, Variant
from scenarios.variant import day0_budget

BED_ROWS = 5
BUDGET_ROWS = 3
BED_FIELDS = ("placement_type", "region", "beds")
BUDGET_FIELDS = ("stream", "per_year")
SETTINGS = {
    "change_base": DEFAULT_BASE,
    "change_policy": "",
    "change_horizon_days": "",
    "change_replications": "3",
}
_DOMAIN_KEY = re.compile(r"^(beds|budgets)\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True, slots=True)
class ReadForm:
    """The form read: the variant, and which form row each of its rows came from."""

    variant: Variant
    bed_rows: list[int] = field(default_factory=list)
    budget_rows: list[int] = field(default_factory=list)

    def field_name(self, key: str) -> str:
        """The form's field for a :class:`scenarios.InvalidVariantError` field."""
        if key in ("policy", "horizon_days"):
            return f"change_{key}"
        found = _DOMAIN_KEY.match(key)
        if found is None:
            return "change_base"  # the file as a whole
        kind, row, name = found.group(1), int(found.group(2)), found.group(3)
        rows = self.bed_rows if kind == "beds" else self.budget_rows
        return f"{kind}-{rows[row]}-{name}"


def _euros(raw: str, name: str, errors: FieldErrors) -> float | None:
    value = raw.replace(",", "").replace("_", "").replace(" ", "")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors[name] = "must be a number of euros a year, with - for less"
        return None
    return number


def _beds(form: FormData, errors: FieldErrors) -> tuple[list[BedDelta], list[int]]:
    out, rows = [], []
    for i in range(BED_ROWS):
        names = {f: f"beds-{i}-{f}" for f in BED_FIELDS}
        values = {f: text(form, n) for f, n in names.items()}
        if not any(values.values()):
            continue
        for f, n in names.items():
            if not values[f]:
                errors[n] = "is required in a filled row"
        beds = whole_number(form, names["beds"], errors, required=False)
        if beds is not None and values["placement_type"] and values["region"]:
            out.append(BedDelta(values["placement_type"], values["region"], beds))
            rows.append(i)
    return out, rows


def _budgets(form: FormData, errors: FieldErrors) -> tuple[list[BudgetDelta], list[int]]:
    out, rows = [], []
    for i in range(BUDGET_ROWS):
        stream, raw = text(form, f"budgets-{i}-stream"), text(form, f"budgets-{i}-per_year")
        if not (stream or raw):
            continue
        if not stream:
            errors[f"budgets-{i}-stream"] = "is required in a filled row"
        if not raw:
            errors[f"budgets-{i}-per_year"] = "is required in a filled row"
            continue
        per_year = _euros(raw, f"budgets-{i}-per_year", errors)
        if stream and per_year is not None:
            out.append(BudgetDelta(stream, per_year))
            rows.append(i)
    return out, rows


def read(form: FormData, errors: FieldErrors) -> ReadForm:
    """The variant the form asks for; what cannot be read is noted in ``errors``."""
    beds, bed_rows = _beds(form, errors)
    budgets, budget_rows = _budgets(form, errors)
    horizon = whole_number(form, "change_horizon_days", errors, required=False)
    variant = Variant(
        beds=tuple(beds),
        budgets=tuple(budgets),
        policy=text(form, "change_policy") or None,
        horizon_days=horizon,
    )
    return ReadForm(variant, bed_rows, budget_rows)


def values(form: FormData | None) -> dict[str, str]:
    """Every field's text, to fill the form again (the defaults without a form)."""
    rows = [f"beds-{i}-{f}" for i in range(BED_ROWS) for f in BED_FIELDS]
    rows += [f"budgets-{i}-{f}" for i in range(BUDGET_ROWS) for f in BUDGET_FIELDS]
    if form is None:
        return SETTINGS | dict.fromkeys(rows, "")
    return {n: text(form, n) for n in [*SETTINGS, *rows]}


def context(base: str = DEFAULT_BASE) -> dict[str, object]:
    """The choices of the form: types, regions, policies and the base's capped streams."""
    try:
        loaded = base_scenario(base)
    except ValueError:  # an unknown base was posted: its error is shown, the streams not
        loaded = base_scenario(DEFAULT_BASE)
    budgets = {s.id: (s.name, day0_budget(loaded, s.id)) for s in loaded.supply.streams}
    return {
        "base_options": [(name, name) for name in EXAMPLES],
        "bed_rows": range(BED_ROWS),
        "budget_rows": range(BUDGET_ROWS),
        "type_options": [(t.value, CATALOGUE[t].name) for t in CATALOGUE],
        "region_options": sorted(((r.id, r.name) for r in REGIONS), key=lambda r: r[1]),
        "policy_options": [(p.value, p.value) for p in Policy],
        "stream_options": [
            (sid, f"{name} (EUR {per_year:,.0f} a year)")
            for sid, (name, per_year) in budgets.items()
            if per_year is not None
        ],
    }
