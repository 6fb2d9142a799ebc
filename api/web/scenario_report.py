"""The comparison of a finished scenario job as policymakers see it: aggregates only.

The KPIs are means over replications (``docs/scenarios.md``). As everywhere policymakers
look, a count under 5 is shown as "<5" (:data:`capacity.disclosure.SMALL_CELL`), and the
waits and shares of a group of fewer than 5 cases are not shown: not in the table, and not
in the charts (the worker draws them with ``min_cases=SMALL_CELL``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from capacity.disclosure import SMALL_CELL
from scenarios import COMPLEX_CASES, small_groups
from scenarios.report import PAIRED_GROUPS, PAIRED_KPIS, interval, paired_from_values

HIDDEN = "-"  # a value not shown (no value, or its group is a small cell)


def count(value: float | None) -> str:
    """A (mean) count: ``"<5"`` below five."""
    if value is None:
        return HIDDEN
    return "<5" if value < SMALL_CELL else f"{value:,.1f}"


def days(value: float | None, ci: Sequence[float] | None = None) -> str:
    if value is None:
        return HIDDEN
    text = f"{value:,.1f}"
    return text + (f" ({interval(ci, ',.1f')})" if ci else "")


def share(value: float | None, ci: Sequence[float] | None = None) -> str:
    if value is None:
        return HIDDEN
    text = f"{value:.0%}"
    return text + (f" ({interval(ci, '.0%')})" if ci else "")


def euros(value: float | None) -> str:
    return HIDDEN if value is None else f"€ {value:,.0f}"


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    cells: list[str]


def _group(doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    group: Mapping[str, Any] = doc["overall"] if key == "overall" else doc["by_class"].get(key, {})
    return group


def _group_rows(docs: Sequence[Mapping[str, Any]], key: str, label: str) -> list[Row]:
    groups = [_group(d, key) for d in docs]
    shown = [(g.get("cases") or 0) >= SMALL_CELL for g in groups]

    def cells(make: Any) -> list[str]:
        return [make(g) if ok else HIDDEN for g, ok in zip(groups, shown, strict=True)]

    return [
        Row(f"{label}: cases (mean per replication)", [count(g.get("cases")) for g in groups]),
        Row(
            f"{label}: mean wait in days (95% interval)",
            cells(lambda g: days(g["wait_days"].get("mean"), g["wait_days"].get("ci95"))),
        ),
        Row(f"{label}: 90th percentile wait", cells(lambda g: days(g["wait_days"].get("p90")))),
        Row(
            f"{label}: placed within target",
            cells(
                lambda g: share(g.get("placed_within_target"), g.get("placed_within_target_ci95"))
            ),
        ),
        Row(f"{label}: unplaced at end", [count(g.get("unplaced_at_end")) for g in groups]),
        Row(f"{label}: capacity gaps", [count(g.get("capacity_gap_cases")) for g in groups]),
    ]


def comparison(docs: Sequence[Mapping[str, Any]]) -> list[Row]:
    """The side-by-side table: one column per run (``docs`` are ``kpis.json`` documents)."""
    settings = [d["scenario"] for d in docs]
    rows = [
        Row("policy", [str(s["policy"]) for s in settings]),
        Row("rulebook", [str(s["rulebook"]) for s in settings]),
        Row("replications", [str(s["replications"]) for s in settings]),
        Row("days simulated", [str(s["horizon_days"]) for s in settings]),
    ]
    classes = [c for c in docs[0]["by_class"] if c != COMPLEX_CASES] if docs else []
    for key in ["overall", COMPLEX_CASES, *classes]:
        label = {"overall": "all cases", COMPLEX_CASES: "complex cases"}.get(key, key)
        rows += _group_rows(docs, key, label.replace("_", " "))
    rows += [
        Row(
            "out-of-region placements (share)",
            [share(d["out_of_region"].get("share")) for d in docs],
        ),
        Row("occupancy, all beds", [share(d["occupancy"].get("overall")) for d in docs]),
        Row("cost per year", [euros(d["cost"].get("total_per_year")) for d in docs]),
        Row("budget overruns", [euros(d["budget_overrun"].get("total")) for d in docs]),
        Row("spread of waits between regions", [spread(d) for d in docs]),
    ]
    return rows


def spread(doc: Mapping[str, Any]) -> str:
    """p90 - p10 of the regional mean waits (regions of 5 or more cases: no small cell)."""
    sp = doc.get("equity", {}).get("spread", {})
    value = sp.get("regional_p90_minus_p10_days")
    return HIDDEN if value is None else days(value, sp.get("regional_p90_minus_p10_days_ci95"))


def headline(labels: Sequence[str], docs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Per run: the complex-case mean wait with its interval (or why it is not shown)."""
    lines = []
    for label, doc in zip(labels, docs, strict=True):
        group = _group(doc, COMPLEX_CASES)
        if (group.get("cases") or 0) < SMALL_CELL:
            lines.append(f"{label}: fewer than 5 complex cases, so their wait is not shown")
        else:
            wait = group["wait_days"]
            lines.append(
                f"{label}: complex cases wait {days(wait.get('mean'), wait.get('ci95'))} days "
                "on average"
            )
    return lines


CHART_TITLES = {
    "compare_mean_wait.png": "Mean wait per complexity class, with 95% intervals",
    "compare_wait_by_class.png": "Share of cases placed within x days, per complexity class",
    "compare_waiting.png": "Cases waiting, day by day",
}

# charts drawn per complexity class: a class of fewer than 5 cases is left out of them
PER_CLASS_CHARTS = frozenset({"compare_mean_wait.png", "compare_wait_by_class.png"})


def _group_name(key: str) -> str:
    return "complex cases" if key == COMPLEX_CASES else key.replace("_", " ")


def chart_caption(name: str, labels: Sequence[str], docs: Sequence[Mapping[str, Any]]) -> str:
    """A chart's caption; for the per-class charts, which classes are not drawn and why."""
    title = CHART_TITLES.get(name, name)
    if name not in PER_CLASS_CHARTS:
        return title
    text = (
        f"{title}. Classes of fewer than {SMALL_CELL} cases (mean per replication) are not "
        "drawn, as their waits would show single cases"
    )
    left_out = []
    for label, doc in zip(labels, docs, strict=True):
        small = small_groups(dict(doc), list(doc["by_class"]), SMALL_CELL)
        if small:
            names = ", ".join(_group_name(g) for g in small)
            left_out.append(names if len(labels) == 1 else f"{label}: {names}")
    return text + (f" (left out: {'; '.join(left_out)})." if left_out else ".")


@dataclass(frozen=True, slots=True)
class PairedRow:
    """One KPI of a run minus the first run, paired by replication (issue 15)."""

    run: str
    kpi: str
    difference: str
    pairs: int


PAIRED_HEAD = ("run", "KPI", "difference from the first run (95% interval)", "pairs")


def _hidden_paths(doc: Mapping[str, Any]) -> set[str]:
    """The paired KPIs of a run whose group has fewer than 5 cases (as in the table)."""
    hidden = set()
    for group, _ in PAIRED_GROUPS:
        name = group.removeprefix("by_class.")
        if (_group(doc, name).get("cases") or 0) < SMALL_CELL:
            hidden |= {p for p, _, _ in PAIRED_KPIS if p.startswith(f"{group}.")}
    return hidden


def paired(
    labels: Sequence[str],
    docs: Sequence[Mapping[str, Any]],
    values: Sequence[Sequence[Mapping[str, float | None]] | None],
) -> list[PairedRow]:
    """Every run against the first, KPI by KPI, paired by replication (runs with the same
    seed, replications and horizon; ``values`` from :func:`scenarios.report.replication_values`,
    ``None`` for a run stored without them). KPIs of a group under 5 cases are left out."""
    if len(docs) < 2 or values[0] is None:
        return []
    digits = {label: d for _, label, d in PAIRED_KPIS}
    names = {label: path for path, label, _ in PAIRED_KPIS}
    out = []
    for label, doc, vals in zip(labels[1:], docs[1:], values[1:], strict=True):
        if vals is None:
            continue
        hidden = _hidden_paths(docs[0]) | _hidden_paths(doc)
        for kpi, mean, ci, n in paired_from_values(
            docs[0]["scenario"], values[0], doc["scenario"], vals
        ):
            if names[kpi] in hidden:
                continue
            d = digits[kpi]
            text = f"{mean:+,.{d}f}" + (f" ({interval(ci, f'+,.{d}f', n)})" if ci else "")
            out.append(PairedRow(label, kpi, text, n))
    return out


def kpi_table(labels: Sequence[str], rows: Sequence[Row]) -> tuple[list[str], list[list[str]]]:
    """The side-by-side table as a file's header and rows (as shown: "<5" and all)."""
    return ["KPI", *labels], [[r.label, *r.cells] for r in rows]


def paired_table(rows: Sequence[PairedRow]) -> tuple[list[str], list[list[str | int]]]:
    """The paired differences as a file's header and rows."""
    return list(PAIRED_HEAD), [[r.run, r.kpi, r.difference, r.pairs] for r in rows]
