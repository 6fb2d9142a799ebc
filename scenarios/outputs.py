"""Writing a run to a folder: ``kpis.json``, ``kpis.csv``, ``series.json``, PNGs, HTML.

Layout of ``DIR`` (``docs/scenarios.md``, *Outputs*)::

    kpis.json      scenario settings, aggregated KPIs with 95 % intervals, per replication
    kpis.csv       one row per KPI: mean, interval, then each replication's value
    series.json    the data behind the plots (read by ``compare``)
    wait_by_class.png, occupancy.png, waiting.png
    report.html    self-contained (images inlined): settings, KPIs, plots
    traces/        with ``traces=True``: one JSON-lines event trace per replication
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import plots
from scenarios.aggregate import flatten, missing_value
from scenarios.errors import ScenarioRunError
from scenarios.events import event_to_dict
from scenarios.kpis import COMPLEX_CASES
from scenarios.report import run_report
from scenarios.runner import ScenarioResult


@dataclass(frozen=True, slots=True)
class RunFiles:
    """The files written for one run."""

    folder: Path
    kpis_json: Path
    kpis_csv: Path
    report: Path
    plots: tuple[Path, ...]


def kpis_document(result: ScenarioResult) -> dict[str, Any]:
    """What ``kpis.json`` holds."""
    return {
        "scenario": result.summary(),
        **result.kpis,
        "replications": [r.kpis for r in result.replications],
    }


def series_document(result: ScenarioResult) -> dict[str, Any]:
    """What ``series.json`` holds: pooled waits per class, mean occupancy and waiting list."""
    classes = list(result.replications[0].info.classes) if result.replications else []
    waits: dict[str, list[float]] = {c: [] for c in classes}
    for r in result.replications:
        for cls, values in r.series.waits.items():
            waits.setdefault(cls, []).extend(round(v, 3) for v in values)
    types = sorted({t for r in result.replications for t in r.series.occupancy})
    occupancy = {
        t: np.mean(
            [r.series.occupancy[t] for r in result.replications if t in r.series.occupancy], axis=0
        )
        .round(4)
        .tolist()
        for t in types
    }
    waiting = (
        np.mean([r.series.waiting for r in result.replications], axis=0).round(2).tolist()
        if result.replications
        else []
    )
    return {"classes": classes, "waits": waits, "occupancy": occupancy, "waiting": waiting}


def write_run(result: ScenarioResult, folder: str | Path, *, traces: bool = False) -> RunFiles:
    """Write every output of a run into ``folder`` (created when missing), whole or not at all.

    The files are written into a hidden folder inside ``folder`` first and moved into place
    (renames in one file system) only once every one is written, ``kpis.json`` last: a run
    that fails while writing (a full disk, a plot that cannot be drawn) leaves an earlier
    run's results in ``folder`` as they were, instead of new ``kpis.json`` beside an old
    report. A ``traces/`` folder of an earlier run is replaced by this run's, or removed
    when this run keeps none: the folder holds one run.

    Raises
    ------
    ScenarioRunError
        When the folder cannot be written.
    """
    out = Path(folder)
    made = not out.exists()
    done = False
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".writing-", dir=out))
    except OSError as exc:
        raise ScenarioRunError(f"{out}: cannot write the results ({exc.strerror})") from exc
    try:
        names = _write_files(result, stage, traces=traces)
        _move_in(stage, out, names)
        done = True
    except OSError as exc:
        raise ScenarioRunError(f"{out}: cannot write the results ({exc.strerror})") from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if made and not done:
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty
    plots_written = tuple(out / n for n in names if n.endswith(".png"))
    return RunFiles(out, out / KPIS_JSON, out / KPIS_CSV, out / REPORT, plots_written)


KPIS_JSON = "kpis.json"
KPIS_CSV = "kpis.csv"
REPORT = "report.html"
TRACES = "traces"


def _write_files(result: ScenarioResult, out: Path, *, traces: bool) -> list[str]:
    """Every output of the run written into ``out``; their names, ``kpis.json`` last."""
    doc = kpis_document(result)
    ser = series_document(result)
    _write_json(out / "series.json", ser)
    write_csv(out / KPIS_CSV, result)
    images = run_plots(result.summary()["name"], ser)
    for name, png in images.items():
        (out / name).write_bytes(png)
    (out / REPORT).write_text(run_report(doc, images), encoding="utf-8")
    names = ["series.json", KPIS_CSV, *images, REPORT]
    if traces:
        _write_traces(out / TRACES, result)
        names.append(TRACES)
    _write_json(out / KPIS_JSON, doc)
    return [*names, KPIS_JSON]


def _move_in(stage: Path, out: Path, names: list[str]) -> None:
    """Move the staged files into ``out``; an earlier run's traces go into the stage."""
    old_traces = out / TRACES
    if old_traces.is_dir():
        old_traces.replace(stage / ".earlier-traces")  # removed with the stage
    for name in names:
        (stage / name).replace(out / name)


def check_folder(folder: str | Path) -> None:
    """Refuse a folder the results cannot be written to, before the run rather than after
    it (an ``--out`` that was a file, or ``/proc/x``, was refused once the simulation had
    run). Missing folders are made to try, and removed again with the file tried.

    Raises
    ------
    ScenarioRunError
        When ``folder`` is a file, or it cannot be made or written in.
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise ScenarioRunError(f"{out}: is a file, not a folder; give a folder for the results")
    made = [p for p in (out, *out.parents) if not p.exists()]  # the deepest first
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise ScenarioRunError(f"{out}: cannot write the results ({exc.strerror})") from exc
    finally:
        for p in made:
            with contextlib.suppress(OSError):
                p.rmdir()


def run_plots(label: str, ser: dict[str, Any]) -> dict[str, bytes]:
    """The PNGs of one run, by file name."""
    classes = ser["classes"]
    return {
        "wait_by_class.png": plots.wait_distribution({label: ser["waits"]}, classes),
        "occupancy.png": plots.occupancy_over_time(ser["occupancy"], "Occupancy by placement type"),
        "waiting.png": plots.waiting_over_time({label: ser["waiting"]}),
    }


def write_csv(path: Path, result: ScenarioResult) -> Path:
    """One row per KPI: ``metric, mean, ci95_low, ci95_high, replications, rep_0 ...``.

    The rows are the KPIs of any replication (in the order first met), so a KPI one
    replication lacks still gets its row; its cell there is empty, or 0 where a missing
    key means 0 (:func:`scenarios.aggregate.missing_value`).
    """
    reps = [flatten(r.kpis) for r in result.replications]
    metrics = list(dict.fromkeys(m for r in reps for m in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        head = ["metric", "mean", "ci95_low", "ci95_high", "replications"]
        w.writerow(head + [f"rep_{r.replication}" for r in result.replications])
        for metric in metrics:
            mean, ci = lookup(result.kpis, metric)
            values = [r.get(metric, missing_value(metric)) for r in reps]
            low, high = ci if ci else (None, None)
            w.writerow([metric, _fmt(mean), _fmt(low), _fmt(high), len(reps), *map(_fmt, values)])
    return path


def lookup(kpis: dict[str, Any], metric: str) -> tuple[float | None, list[float] | None]:
    """The aggregated mean of a dotted KPI name and its 95 % interval."""
    *head, leaf = metric.split(".")
    node: Any = kpis
    for part in head:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        return None, None
    return node.get(leaf), node.get("ci95" if leaf == "mean" else f"{leaf}_ci95")


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.6g}"


def _write_json(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def _write_traces(folder: Path, result: ScenarioResult) -> None:
    folder.mkdir(exist_ok=True)
    for r in result.replications:
        if r.trace is None:
            raise ScenarioRunError("the traces were not kept (run with keep_traces=True)")
        with (folder / f"replication-{r.replication}.jsonl").open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"kind": "RunInfo", **asdict(r.trace.info)}) + "\n")
            for event in r.trace.events:
                fh.write(json.dumps(event_to_dict(event)) + "\n")


def headline(result_kpis: dict[str, Any]) -> tuple[float | None, list[float] | None]:
    """Complex-case mean wait and its interval (every class above standard)."""
    node = result_kpis.get("by_class", {}).get(COMPLEX_CASES, {}).get("wait_days", {})
    return node.get("mean"), node.get("ci95")
