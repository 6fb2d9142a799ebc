"""Self-contained HTML reports: one run, or several side by side.

No external assets: styles are inline and images are embedded as base64 PNGs, so a report
can be mailed or opened on a machine without a network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

from capacity import CATALOGUE, PlacementType

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;
color:#1d2733;max-width:1200px}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;
border-bottom:1px solid #d0d7de}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:right}th{background:#f3f5f7}
td:first-child,th:first-child{text-align:left}.note{color:#57606a;font-size:.85em}
.headline{font-size:1.1em;background:#f3f8ff;padding:.6em 1em;border-left:4px solid #0969da}
img{max-width:100%;border:1px solid #d0d7de;margin:.5em 0}
.warning{background:#fffaeb;border-left:4px solid #b54708;padding:.4em 1em;margin:1em 0}
"""

DEFINITIONS = (
    "Waits are in days, for cases arriving after the warm-up; a case still waiting at the "
    "end counts with the days waited so far. Intervals ('a to b') are 95 % percentile-"
    "bootstrap intervals of the mean over replications, which never leave a KPI's range; "
    "with fewer than 3 replications there is none, and those from fewer than 5 replications "
    "or of zero width are marked indicative (too narrow to rely on). Complex cases: every "
    "complexity class above standard (national rulebook). Definitions: docs/scenarios.md. "
    "For analysts: groups of any size are shown, also under 5 cases; the dashboard's "
    "comparison leaves those out for publication."
)


def esc(value: Any) -> str:
    return html.escape(str(value))


def interval(ci: Sequence[float], spec: str, n: int | None = None) -> str:
    """``10.1 to 14.5`` in the format ``spec``; ``, indicative`` follows an interval of zero
    width or (``n`` known) from fewer than 5 replications or pairs (issue 15)."""
    from scenarios.aggregate import indicative

    text = f"{ci[0]:{spec}} to {ci[1]:{spec}}"
    return text + (", indicative" if indicative(ci, n) else "")


def fmt(
    value: float | None, ci: Sequence[float] | None = None, digits: int = 1, n: int | None = None
) -> str:
    """``12.3 (10.1 to 14.5)``; a dash when there is no value."""
    if value is None:
        return "-"
    text = f"{value:,.{digits}f}"
    if ci:
        text += f" ({interval(ci, f',.{digits}f', n)})"
    return text


def pct(value: float | None, ci: Sequence[float] | None = None) -> str:
    """``94% (91% to 97%)``; a dash when there is no value."""
    if value is None:
        return "-"
    text = f"{value:.0%}"
    if ci:
        text += f" ({interval(ci, '.0%')})"
    return text


def warnings(docs: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """What a reader must know before comparing these runs (issue 15): too few
    replications for an interval, and runs that differ in replications, seed, horizon or
    rulebook (their differences are not paired, and some may come from the setting)."""
    from scenarios.aggregate import INDICATIVE_BELOW, MIN_REPLICATIONS

    out = []
    for label, doc in docs:
        n = doc["scenario"]["replications"]
        if n < MIN_REPLICATIONS:
            out.append(
                f"{label}: {n} replication{'s' * (n != 1)}, too few for an interval; its "
                "figures may differ by chance alone. Run at least "
                f"{MIN_REPLICATIONS} before drawing a conclusion."
            )
        elif n < INDICATIVE_BELOW:
            out.append(
                f"{label}: {n} replications, so its intervals are indicative only (too "
                f"narrow with fewer than {INDICATIVE_BELOW}). Run at least {INDICATIVE_BELOW} "
                "before relying on them."
            )
    for key, what in (
        ("replications", "replications"),
        ("seed", "seeds"),
        ("horizon_days", "horizons"),
        ("rulebook", "rulebooks"),
    ):
        values = {str(doc["scenario"].get(key)) for _, doc in docs}
        if len(docs) > 1 and len(values) > 1:
            out.append(
                f"The runs have different {what} ({', '.join(sorted(values))}): they are "
                "not paired, and part of a difference may come from that."
            )
    return out


def warning_block(docs: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    found = warnings(docs)
    if not found:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in found)
    return f"<div class='warning'><b>Read with care</b><ul>{items}</ul></div>"


def img(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{esc(name)}" src="data:image/png;base64,{data}">'


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["<table><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


def page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>{body}"
        f"<p class='note'>{esc(DEFINITIONS)}</p></body></html>"
    )


def group_row(label: str, g: Mapping[str, Any]) -> list[str]:
    w = g.get("wait_days", {})
    return [
        label.replace("_", " "),
        fmt(g.get("cases"), digits=0),
        fmt(w.get("mean"), w.get("ci95")),
        fmt(w.get("median")),
        fmt(w.get("p90")),
        fmt(w.get("max")),
        pct(g.get("placed_within_target"), g.get("placed_within_target_ci95")),
        fmt(g.get("unplaced_at_end"), g.get("unplaced_at_end_ci95")),
        fmt(g.get("capacity_gap_cases"), digits=1),
    ]


WAIT_HEAD = (
    "group",
    "cases (mean)",
    "mean wait [95% CI]",
    "median",
    "p90",
    "max",
    "placed within target",
    "unplaced at end",
    "capacity gaps",
)


def _type_name(code: str) -> str:
    try:
        return CATALOGUE[PlacementType(code)].name
    except ValueError:
        return code


def run_report(doc: Mapping[str, Any], images: Mapping[str, bytes]) -> str:
    """The report of one run (``doc`` is the ``kpis.json`` document)."""
    s = doc["scenario"]
    parts = [
        warning_block([(s["name"], doc)]),
        f"<p>{esc(s.get('description', ''))}</p>",
        _headline([(s["name"], doc)]),
    ]
    parts.append(
        "<h2>Scenario</h2>"
        + table(("setting", "value"), [(k, str(v)) for k, v in s.items() if k != "description"])
    )
    groups = [("all cases", doc["overall"]), *doc["by_class"].items()]
    parts.append("<h2>Waiting</h2>" + table(WAIT_HEAD, [group_row(k, g) for k, g in groups]))
    parts.append(img("waits", images["wait_by_class.png"]))
    parts.append(img("waiting list", images["waiting.png"]))
    occ = doc["occupancy"]
    parts.append(
        "<h2>Occupancy</h2>"
        + f"<p>All beds: {pct(occ.get('overall'), occ.get('overall_ci95'))}</p>"
        + table(
            ("placement type", "occupancy"),
            [
                (_type_name(k), pct(v, occ["by_type"].get(f"{k}_ci95")))
                for k, v in occ["by_type"].items()
                if not k.endswith("_ci95")
            ],
        )
    )
    parts.append(img("occupancy", images["occupancy.png"]))
    parts.append(
        "<details><summary>Occupancy by region</summary>"
        + table(
            ("region", "occupancy"),
            [(k, pct(v)) for k, v in occ["by_region"].items() if not k.endswith("_ci95")],
        )
        + "</details>"
    )
    parts.append(_money_and_rounds(doc))
    parts.append(equity_section(doc))
    return page(f"Scenario: {s['name']}", "".join(parts))


EQUITY_TITLES = (
    ("by_region_signalled", "region signalled"),
    ("by_exploitation_type", "exploitation type"),
    ("by_residence_status", "residence status"),
    ("by_age_band", "age band"),
)


def spread_text(doc: Mapping[str, Any]) -> str:
    """The spread between regions in words: p90 and p10 of the regional mean waits."""
    sp = doc.get("equity", {}).get("spread", {})
    if sp.get("regional_mean_wait_p90") is None:
        return "too few regions with 5 or more cases for a spread"
    ratio = sp.get("regional_p90_p10_ratio")
    times = f", {fmt(ratio, sp.get('regional_p90_p10_ratio_ci95'), 2)} times" if ratio else ""
    return (
        f"the 90th percentile of the regional mean waits is "
        f"{fmt(sp.get('regional_p90_minus_p10_days'), sp.get('regional_p90_minus_p10_days_ci95'))}"
        f" days above the 10th{times} (over {fmt(sp.get('regions'), digits=0)} regions)"
    )


def equity_section(doc: Mapping[str, Any]) -> str:
    """Who waits how long: by region signalled, exploitation type, residence status and
    age band, and the spread between regions (issue 15)."""
    eq = doc.get("equity")
    if not eq:
        return ""
    out = "<h2>Equity: who waits how long</h2>"
    out += f"<p>Between regions: {esc(spread_text(doc))}.</p>"
    for key, title in EQUITY_TITLES:
        groups = {k: v for k, v in eq.get(key, {}).items() if not k.endswith("_ci95")}
        rows = [
            (name, fmt(g.get("cases")), fmt(g.get("mean_wait_days"), g.get("mean_wait_days_ci95")))
            for name, g in sorted(groups.items())
        ]
        if rows:
            out += table((title, "cases (mean)", "mean wait (days)"), rows)
    return out


def _money_and_rounds(doc: Mapping[str, Any]) -> str:
    oor, cost, over, rounds = (
        doc["out_of_region"],
        doc["cost"],
        doc["budget_overrun"],
        doc["rounds"],
    )
    rows = [
        (
            "placements outside the region where the case was signalled",
            fmt(oor.get("placements"), oor.get("placements_ci95")),
            pct(oor.get("share"), oor.get("share_ci95")),
        ),
    ]
    out = "<h2>Placements, money, rounds</h2>" + table(("KPI", "count", "share"), rows)
    streams = [
        (k, fmt(v, digits=0)) for k, v in cost["by_stream"].items() if not k.endswith("_ci95")
    ]
    total = fmt(cost.get("total"), cost.get("total_ci95"), 0)
    per_year = fmt(cost.get("total_per_year"), digits=0)
    out += (
        f"<p>Cost of occupied bed-days in the window: EUR {total} (per year: EUR {per_year}).</p>"
    )
    out += (
        "<details><summary>Cost per funding stream (EUR)</summary>"
        + table(("stream", "EUR"), streams)
        + "</details>"
    )
    overruns = [
        (k, fmt(v, digits=0)) for k, v in over["by_stream"].items() if not k.endswith("_ci95")
    ]
    out += f"<p>Budget overruns: EUR {fmt(over.get('total'), over.get('total_ci95'), 0)}.</p>"
    if overruns:
        out += table(("stream", "overrun (EUR)"), overruns)
    held, not_optimal = fmt(rounds.get("held"), digits=0), fmt(rounds.get("not_optimal"), digits=1)
    weighted = fmt(doc.get("weighted_wait_days"), doc.get("weighted_wait_days_ci95"), 0)
    out += (
        f"<p>Rounds held: {held}; not proven optimal: {not_optimal}. "
        f"Priority-weighted waiting days (all cases, the evaluation objective): {weighted}.</p>"
    )
    parts = [
        (cls.replace("_", " "), fmt(v, doc["weighted_wait_days_by_class"].get(f"{cls}_ci95"), 0))
        for cls, v in doc.get("weighted_wait_days_by_class", {}).items()
        if not cls.endswith("_ci95")
    ]
    if parts:
        out += table(("complexity class", "priority-weighted waiting days"), parts)
    if "anticipation" in doc:
        a = doc["anticipation"]
        kept = fmt(a.get("beds_kept"), a.get("beds_kept_ci95"), 1)
        saving = fmt(a.get("expected_saving_days"), a.get("expected_saving_days_ci95"), 0)
        out += (
            f"<p>Beds kept for expected arrivals (anticipatory rounds): {kept}; their expected "
            f"saving: {saving} weighted days.</p>"
        )
    if "policy" in doc:
        notes = [(k, fmt(v, digits=3)) for k, v in doc["policy"].items() if not k.endswith("_ci95")]
        out += "<h2>Policy notes</h2>" + table(("note", "mean"), notes)
    return out


def _headline(runs: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    lines = []
    for label, doc in runs:
        w = doc["by_class"].get("complex_cases", {}).get("wait_days", {})
        wait = esc(fmt(w.get("mean"), w.get("ci95")))
        lines.append(f"<b>{esc(label)}</b>: complex cases wait {wait} days on average")
    return "<p class='headline'>" + "<br>".join(lines) + "</p>"


def _group(doc: Mapping[str, Any], cls: str) -> Mapping[str, Any]:
    group: Mapping[str, Any] = doc["overall"] if cls == "overall" else doc["by_class"].get(cls, {})
    return group


def _compare_rows(doc: Mapping[str, Any], classes: Sequence[str]) -> list[str]:
    """One column of the comparison table."""
    s = doc["scenario"]
    col = [s["policy"], s["rulebook"], str(s["replications"])]
    for cls in ["overall", *classes]:
        g = _group(doc, cls)
        w = g.get("wait_days", {})
        col += [
            fmt(w.get("mean"), w.get("ci95")),
            fmt(w.get("p90")),
            pct(g.get("placed_within_target"), g.get("placed_within_target_ci95")),
            fmt(g.get("unplaced_at_end"), g.get("unplaced_at_end_ci95")),
        ]
    oor, occ, cost, over = (
        doc["out_of_region"],
        doc["occupancy"],
        doc["cost"],
        doc["budget_overrun"],
    )
    col += [
        pct(oor.get("share"), oor.get("share_ci95")),
        pct(occ.get("overall"), occ.get("overall_ci95")),
        fmt(cost.get("total_per_year"), cost.get("total_per_year_ci95"), 0),
        fmt(over.get("total"), over.get("total_ci95"), 0),
        fmt(doc.get("weighted_wait_days"), doc.get("weighted_wait_days_ci95"), 0),
        spread_text(doc),
    ]
    return col


def _compare_names(classes: Sequence[str]) -> list[str]:
    names = ["policy", "rulebook", "replications"]
    for cls in ["overall", *classes]:
        label = "all cases" if cls == "overall" else cls.replace("_", " ")
        names += [
            f"mean wait, {label}",
            f"p90 wait, {label}",
            f"placed within target, {label}",
            f"unplaced at end, {label}",
        ]
    return [
        *names,
        "out-of-region placements (share)",
        "occupancy, all beds",
        "cost per year (EUR)",
        "budget overruns (EUR)",
        "priority-weighted waiting days",
        "spread of waits between regions",
    ]


PAIRED_GROUPS: tuple[tuple[str, str], ...] = (
    ("overall", "all cases"),
    ("by_class.standard", "standard cases"),
    ("by_class.complex", "complex class"),
    ("by_class.highly_complex", "highly complex cases"),
    ("by_class.complex_cases", "complex cases"),
)
"""The groups of cases whose KPIs are paired: dotted path of the group, label (the national
rulebooks' classes, and ``complex_cases``: complex and highly complex together)."""

PAIRED_KPIS: tuple[tuple[str, str, int], ...] = (
    *(
        kpi
        for path, group in PAIRED_GROUPS
        for kpi in (
            (f"{path}.wait_days.mean", f"mean wait, {group} (days)", 1),
            (f"{path}.wait_days.p90", f"p90 wait, {group} (days)", 1),
            (f"{path}.placed_within_target", f"placed within target, {group} (share)", 3),
            (f"{path}.unplaced_at_end", f"unplaced at end, {group}", 1),
        )
    ),
    ("out_of_region.share", "out-of-region placements (share)", 3),
    ("occupancy.overall", "occupancy, all beds (share)", 3),
    ("cost.total_per_year", "cost per year (EUR)", 0),
    ("budget_overrun.total", "budget overruns (EUR)", 0),
    ("weighted_wait_days", "priority-weighted waiting days", 0),
    ("equity.spread.regional_p90_minus_p10_days", "regional spread, p90 - p10 (days)", 1),
)
"""The KPIs of the paired comparison, every row of the comparison table that a replication
holds (issue 15: paired differences for every KPI): dotted path, label, digits."""


def _path(doc: Mapping[str, Any], path: str) -> float | None:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return None if node is None else float(node)


def replication_values(doc: Mapping[str, Any]) -> list[dict[str, float | None]]:
    """Per replication of a ``kpis.json`` document, the values of :data:`PAIRED_KPIS` by
    dotted path: all a later paired comparison needs (the dashboard keeps these, not the
    whole per-replication documents)."""
    return [
        {path: _path(r, path) for path, _, _ in PAIRED_KPIS} for r in doc.get("replications", [])
    ]


def paired_differences(
    base: Mapping[str, Any], other: Mapping[str, Any]
) -> list[tuple[str, float, tuple[float, float] | None, int]]:
    """Per KPI, the mean of ``other - base`` replication by replication, its interval and
    the number of pairs (runs with the same seed, replications and horizon only: their
    replications meet the same arrivals and stays)."""
    return paired_from_values(
        base["scenario"], replication_values(base), other["scenario"], replication_values(other)
    )


def paired_from_values(
    base: Mapping[str, Any],
    base_values: Sequence[Mapping[str, float | None]],
    other: Mapping[str, Any],
    other_values: Sequence[Mapping[str, float | None]],
) -> list[tuple[str, float, tuple[float, float] | None, int]]:
    """:func:`paired_differences` from each run's ``scenario`` settings and
    :func:`replication_values`; nothing when the runs are not paired."""
    from scenarios.aggregate import UNBOUNDED, confidence_interval

    key = ("seed", "replications", "horizon_days")
    if any(other[k] != base[k] for k in key) or len(base_values) != len(other_values):
        return []
    out = []
    for path, label, _ in PAIRED_KPIS:
        pairs = [
            (b, a)
            for a, b in zip(
                (r.get(path) for r in base_values),
                (r.get(path) for r in other_values),
                strict=True,
            )
            if a is not None and b is not None
        ]
        if pairs:
            diff = [b - a for b, a in pairs]
            mean = sum(diff) / len(diff)
            out.append((label, mean, confidence_interval(diff, bounds=UNBOUNDED), len(diff)))
    return out


def _paired(docs: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Every run against the first, KPI by KPI, paired by replication."""
    base_label, base = docs[0]
    digits = {label: d for _, label, d in PAIRED_KPIS}
    sections = []
    for label, doc in docs[1:]:
        rows = [
            (name, fmt(mean, ci, digits[name], n), str(n))
            for name, mean, ci, n in paired_differences(base, doc)
        ]
        if rows:
            head = ("KPI", f"{label} minus {base_label}", "pairs")
            sections.append(f"<h3>{esc(label)}</h3>" + table(head, rows))
    if not sections:
        return ""
    note = (
        "<p class='note'>Same seed: each replication meets the same arrivals and stays under "
        "both runs, so these paired intervals are narrower than those of the means. Runs "
        "with another seed, number of replications or horizon are not paired.</p>"
    )
    return "<h2>Paired differences from " + esc(base_label) + "</h2>" + "".join(sections) + note


def compare_report(
    docs: Sequence[tuple[str, Mapping[str, Any]]], images: Mapping[str, bytes]
) -> str:
    """Several runs side by side (each ``doc`` a ``kpis.json`` document)."""
    labels = [label for label, _ in docs]
    classes = list(docs[0][1]["by_class"].keys())
    columns = [_compare_rows(doc, classes) for _, doc in docs]
    rows = [[name, *(col[i] for col in columns)] for i, name in enumerate(_compare_names(classes))]
    body = warning_block(docs) + _headline(docs)
    body += "<h2>Side by side</h2>" + table(["KPI", *labels], rows)
    body += _paired(docs)
    body += "".join(img(name, png) for name, png in images.items())
    return page("Scenario comparison: " + " vs ".join(labels), body)
