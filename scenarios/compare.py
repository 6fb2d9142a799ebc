"""Putting runs side by side: read several output folders, write one HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scenarios import plots
from scenarios.errors import ScenarioRunError
from scenarios.kpis import COMPLEX_CASES
from scenarios.report import compare_report


def read_run(folder: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``kpis.json`` and ``series.json`` documents of an output folder.

    Raises
    ------
    ScenarioRunError
        When the folder holds no readable run.
    """
    out = Path(folder)
    # issue 17: "(No such file or directory)" did not say which of the cases it was
    if not out.exists():
        raise ScenarioRunError(f"{out}: no such folder")
    if not out.is_dir():
        raise ScenarioRunError(f"{out}: not a folder; give the folder 'opvang scenario run' wrote")
    missing = [name for name in ("kpis.json", "series.json") if not (out / name).is_file()]
    if missing:
        raise ScenarioRunError(
            f"{out}: holds no scenario run ({' and '.join(missing)} missing); write one "
            f"with 'opvang scenario run SPEC.yaml --out {out}'"
        )
    doc, ser = _read_json(out, "kpis.json"), _read_json(out, "series.json")
    if "scenario" not in doc or "by_class" not in doc:
        raise ScenarioRunError(f"{out}/kpis.json: not written by 'opvang scenario run'")
    return doc, ser


def _read_json(out: Path, name: str) -> dict[str, Any]:
    """A JSON object of the run folder, refused by name when it is not one."""
    try:
        doc = json.loads((out / name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioRunError(f"{out}: not a scenario run folder ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:  # a ValueError like the next; said apart for the user
        raise ScenarioRunError(
            f"{out}/{name}: is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start}); not written by 'opvang scenario run'"
        ) from None
    except json.JSONDecodeError as exc:
        raise ScenarioRunError(f"{out}/{name}: is not valid JSON ({exc.msg})") from exc
    if not isinstance(doc, dict):
        raise ScenarioRunError(f"{out}/{name}: not written by 'opvang scenario run'")
    return doc


def labels_for(docs: list[dict[str, Any]], folders: list[Path]) -> list[str]:
    """Scenario names, made unique with the folder name where two runs share one."""
    names = [d["scenario"]["name"] for d in docs]
    return [
        n if names.count(n) == 1 else f"{n} ({f.name})" for n, f in zip(names, folders, strict=True)
    ]


def small_groups(doc: dict[str, Any], groups: list[str], min_cases: float) -> list[str]:
    """The groups of a run with fewer than ``min_cases`` cases (mean per replication).

    Parameters
    ----------
    doc
        The run's ``kpis.json`` document.
    groups
        The complexity classes (and :data:`~scenarios.kpis.COMPLEX_CASES`) to check.
    min_cases
        The small-cell threshold (the dashboard: :data:`capacity.disclosure.SMALL_CELL`).
    """
    return [g for g in groups if (doc["by_class"].get(g, {}).get("cases") or 0) < min_cases]


def compare_plots(
    labels: list[str],
    runs: list[tuple[dict[str, Any], dict[str, Any]]],
    *,
    min_cases: int | None = None,
) -> dict[str, bytes]:
    """The comparison PNGs: mean wait per class with intervals, distributions, waiting list.

    With ``min_cases``, a class of a run with fewer cases than that (mean per replication,
    as the KPI tables count them) is left out of that run's bars and distributions: its
    waits are not even handed to the plots, and the chart says "fewer than N cases, not
    shown" instead (the dashboard passes :data:`capacity.disclosure.SMALL_CELL`: a class of
    1 to 4 cases would show each case's wait). Without it every class is drawn (the
    analysts' reports of ``opvang scenario run|compare``).
    """
    classes: list[str] = runs[0][1]["classes"]
    groups = [*classes, COMPLEX_CASES]
    docs = [doc for doc, _ in runs]
    small = _small(labels, docs, groups, min_cases)
    waits = {
        label: {c: w for c, w in ser["waits"].items() if c not in small[label]}
        for label, (_, ser) in zip(labels, runs, strict=True)
    }
    hidden = _hidden(small, min_cases)
    waiting = {label: ser["waiting"] for label, (_, ser) in zip(labels, runs, strict=True)}
    return {
        "compare_mean_wait.png": mean_wait_chart(labels, docs, groups, min_cases=min_cases),
        "compare_wait_by_class.png": plots.wait_distribution(waits, classes, hidden),
        "compare_waiting.png": plots.waiting_over_time(waiting),
    }


def _small(
    labels: list[str], docs: list[dict[str, Any]], groups: list[str], min_cases: int | None
) -> dict[str, list[str]]:
    return {
        label: small_groups(doc, groups, min_cases) if min_cases is not None else []
        for label, doc in zip(labels, docs, strict=True)
    }


def _hidden(small: dict[str, list[str]], min_cases: int | None) -> dict[str, dict[str, str]]:
    note = f"fewer than {min_cases} cases"
    return {label: dict.fromkeys(gs, note) for label, gs in small.items() if gs}


def mean_wait_chart(
    labels: list[str],
    docs: list[dict[str, Any]],
    groups: list[str],
    *,
    min_cases: int | None = None,
) -> bytes:
    """The mean wait per group with its interval, runs side by side (from the ``kpis.json``
    documents alone; ``min_cases`` as :func:`compare_plots`).

    Parameters
    ----------
    labels
        One per run.
    docs
        The runs' ``kpis.json`` documents.
    groups
        The complexity classes and :data:`~scenarios.kpis.COMPLEX_CASES`, in order.
    min_cases
        Groups of a run with fewer cases are not drawn (``None``: all are).
    """
    small = _small(labels, docs, groups, min_cases)
    bars = {
        label: {
            g: (
                doc["by_class"].get(g, {}).get("wait_days", {}).get("mean"),
                doc["by_class"].get(g, {}).get("wait_days", {}).get("ci95"),
            )
            for g in groups
            if g not in small[label]
        }
        for label, doc in zip(labels, docs, strict=True)
    }
    return plots.mean_wait_bars(bars, groups, _hidden(small, min_cases))


def compare_runs(folders: list[str | Path], out: str | Path) -> Path:
    """Write the side-by-side report of several runs.

    Parameters
    ----------
    folders
        Output folders of ``opvang scenario run`` (at least one).
    out
        The HTML file to write.

    Returns
    -------
    Path
        The report written.
    """
    if not folders:
        raise ScenarioRunError("compare needs at least one run folder")
    paths = [Path(f) for f in folders]
    runs = [read_run(p) for p in paths]
    labels = labels_for([d for d, _ in runs], paths)
    images = compare_plots(labels, runs)
    target = Path(out)
    try:
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True)
        target.write_text(
            compare_report(list(zip(labels, [d for d, _ in runs], strict=True)), images),
            encoding="utf-8",
        )
    except OSError as exc:
        raise ScenarioRunError(f"{target}: cannot write the report ({exc.strerror})") from exc
    return target
