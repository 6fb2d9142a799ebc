"""What a run writes, the comparison report, and the ``opvang scenario`` commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from api.cli import app
from scenarios import (
    EXAMPLES_DIR,
    Policy,
    compare_runs,
    load_scenario,
    run_scenario,
    write_run,
)
from scenarios.aggregate import aggregate
from scenarios.errors import ScenarioRunError
from scenarios.outputs import write_csv

TWO_HOUSES = EXAMPLES_DIR / "two-houses.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    result = run_scenario(load_scenario(TWO_HOUSES).with_replications(3), keep_traces=True)
    write_run(result, out, traces=True)
    return out


def test_kpis_json_has_the_mean_wait_and_its_interval_overall_and_per_class(written: Path):
    doc = json.loads((written / "kpis.json").read_text())
    assert doc["overall"]["wait_days"]["mean"] == 0.0  # both women placed on day 0
    assert doc["overall"]["wait_days"]["ci95"] == [0.0, 0.0]
    for cls in ("standard", "complex", "highly_complex", "complex_cases"):
        assert {"mean", "ci95", "median", "p90", "max"} <= set(doc["by_class"][cls]["wait_days"])
    assert doc["scenario"]["policy"] == "optimised"
    assert doc["scenario"]["replications"] == 3
    assert len(doc["replications"]) == 3


def test_kpis_csv_has_one_row_per_kpi_with_each_replication(written: Path):
    with (written / "kpis.csv").open() as fh:
        rows = {r["metric"]: r for r in csv.DictReader(fh)}
    row = rows["overall.wait_days.mean"]
    assert (row["mean"], row["ci95_low"], row["replications"], row["rep_1"]) == ("0", "0", "3", "0")
    assert "occupancy.by_type.womens_shelter" in rows


def test_report_is_self_contained_with_the_plots_inlined(written: Path):
    html = (written / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3
    assert "http://" not in html
    assert "https://" not in html
    assert "<link" not in html
    assert "<script" not in html
    for png in ("wait_by_class.png", "occupancy.png", "waiting.png"):
        assert (written / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_traces_are_json_lines_starting_with_the_run_info(written: Path):
    lines = (written / "traces" / "replication-0.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "RunInfo"
    kinds = [json.loads(line)["kind"] for line in lines[1:]]
    assert kinds == [
        "Arrived",
        "Arrived",
        "Placed",
        "Placed",
        "RoundHeld",
        "Discharged",
        "Discharged",
    ]


def test_compare_puts_runs_side_by_side(written: Path, tmp_path: Path):
    fifo = load_scenario(TWO_HOUSES)
    fifo = fifo.__class__(
        fifo.spec.model_copy(update={"name": "two-houses-fifo", "policy": Policy.FIFO}),
        fifo.source,
        fifo.rulebook,
        fifo.supply,
        fifo.demand,
    )
    write_run(run_scenario(fifo), tmp_path / "fifo")
    report = compare_runs([written, tmp_path / "fifo"], tmp_path / "cmp.html")
    html = report.read_text()
    assert "two-houses-fifo" in html
    assert "two-houses" in html
    assert html.count("data:image/png;base64,") == 3
    assert "complex cases wait 10.0" in html  # fifo: the LVB case waits until day 10


def test_cli_run_and_compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    first = runner.invoke(app, ["scenario", "run", str(TWO_HOUSES), "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert "two-houses" in first.output
    assert "in-process" in first.output
    assert (tmp_path / "a" / "report.html").exists()
    second = runner.invoke(
        app,
        [
            "scenario",
            "compare",
            str(tmp_path / "a"),
            str(tmp_path / "a"),
            "--out",
            str(tmp_path / "c.html"),
        ],
    )
    assert second.exit_code == 0, second.output
    assert (tmp_path / "c.html").exists()


def test_cli_refuses_a_bad_file_with_its_key_and_exit_code_2(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TWO_HOUSES.read_text().replace("policy: optimised", "policy: central"))
    result = CliRunner().invoke(app, ["scenario", "run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"{bad}: policy: Input should be" in result.output


def test_cli_refuses_workers_and_scheduler_together(tmp_path: Path):
    args = ["scenario", "run", str(TWO_HOUSES), "--out", str(tmp_path), "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_compare_refuses_a_folder_without_a_run(tmp_path: Path):
    result = CliRunner().invoke(
        app, ["scenario", "compare", str(tmp_path), "--out", str(tmp_path / "c.html")]
    )
    assert result.exit_code == 2
    # issue 17: says what is missing and how to make it, not "(No such file or directory)"
    assert "holds no scenario run (kpis.json and series.json missing)" in result.output
    assert "opvang scenario run SPEC.yaml --out" in result.output
    assert "No such file" not in result.output


def test_compare_names_a_folder_that_does_not_exist(tmp_path: Path):
    gone = tmp_path / "gone"
    result = CliRunner().invoke(app, ["scenario", "compare", str(gone), "--out", "c.html"])
    assert result.exit_code == 2
    assert f"{gone}: no such folder" in result.output


def test_every_example_loads_with_its_own_name():
    names = [load_scenario(p).name for p in sorted(EXAMPLES_DIR.glob("*.yaml"))]
    assert len(names) >= 8
    assert len(set(names)) == len(names)


def test_compare_pairs_runs_with_the_same_seed(tmp_path: Path):
    base = load_scenario(TWO_HOUSES)
    for policy in (Policy.FIFO, Policy.OPTIMISED):
        spec = base.spec.model_copy(update={"name": f"two-houses-{policy}", "policy": policy})
        sc = base.__class__(spec, base.source, base.rulebook, base.supply, base.demand)
        write_run(run_scenario(sc), tmp_path / policy.value)
    html = compare_runs(
        [tmp_path / "fifo", tmp_path / "optimised"], tmp_path / "c.html"
    ).read_text()
    assert "Paired differences from two-houses-fifo" in html
    # the LVB case waits 10 days under fifo and none under optimised: -10 days (one
    # replication: no interval, and a warning says so)
    assert "<td>mean wait, complex cases (days)</td><td>-10.0</td><td>1</td>" in html
    assert "too few for an interval" in html
    # every KPI row of the comparison table that a replication holds is paired too, per
    # group (issue 15: the pairing covered 10 KPIs, none per class but complex cases)
    for kpi in ("p90 wait, all cases (days)", "placed within target, standard cases (share)"):
        assert f"<td>{kpi}</td>" in html
    for group in ("all cases", "standard cases", "complex cases"):
        assert f"<td>mean wait, {group} (days)</td>" in html


def test_kpis_csv_has_a_row_for_a_kpi_missing_from_the_first_replication(tmp_path: Path):
    reps = [
        {"overall": {"cases": 2.0}, "cost": {"by_stream": {}}},
        {"overall": {"cases": 4.0}, "cost": {"by_stream": {"x": 90.0}}, "policy": {"n": 7.0}},
        {"overall": {"cases": 3.0}, "cost": {"by_stream": {}}},
    ]
    result = SimpleNamespace(
        replications=[SimpleNamespace(replication=i, kpis=k) for i, k in enumerate(reps)],
        kpis=aggregate(reps),
    )
    with write_csv(tmp_path / "kpis.csv", result).open() as fh:
        rows = {r["metric"]: r for r in csv.DictReader(fh)}
    assert list(rows) == ["overall.cases", "cost.by_stream.x", "policy.n"]
    stream = rows["cost.by_stream.x"]
    assert (stream["mean"], stream["rep_0"], stream["rep_1"], stream["rep_2"]) == (
        "30",
        "0",
        "90",
        "0",
    )
    assert float(stream["ci95_low"]) < 30 < float(stream["ci95_high"])
    note = rows["policy.n"]
    assert (note["mean"], note["rep_0"], note["rep_1"], note["rep_2"]) == ("7", "", "7", "")


def test_cli_run_of_one_replication_warns_in_the_terminal(tmp_path: Path):
    # issue 15: report.html said "too few for an interval", the terminal said nothing
    runner = CliRunner()
    result = runner.invoke(app, ["scenario", "run", str(TWO_HOUSES), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "warning: two-houses: 1 replication, too few for an interval" in result.output


def test_cli_compare_of_unpaired_runs_warns_in_the_terminal(written: Path, tmp_path: Path):
    one = tmp_path / "one"
    write_run(run_scenario(load_scenario(TWO_HOUSES)), one)  # 1 replication, `written` 3
    result = CliRunner().invoke(
        app, ["scenario", "compare", str(written), str(one), "--out", str(tmp_path / "c.html")]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())  # rich wraps long lines
    assert "warning: The runs have different replications (1, 3)" in out
    assert "3 replications, so its intervals are indicative only" in out
    html = (tmp_path / "c.html").read_text()
    assert "The runs have different replications (1, 3)" in html  # the same warnings


def test_the_terminal_headline_marks_indicative_intervals():
    from api.cli.scenario import headline_table

    def result(n: int, ci: list[float]) -> SimpleNamespace:
        spec = SimpleNamespace(policy=Policy.FIFO, replications=n)
        wait = {"wait_days": {"mean": 2.0, "ci95": ci}}
        return SimpleNamespace(scenario=SimpleNamespace(name="x", spec=spec),
                               kpis={"overall": wait, "by_class": {}})  # fmt: skip

    def cell(table) -> str:
        return table.columns[1]._cells[0]

    assert cell(headline_table([result(3, [1.0, 3.0])])) == "2.0 (1.0 to 3.0, indicative)"
    assert cell(headline_table([result(9, [2.0, 2.0])])) == "2.0 (2.0 to 2.0, indicative)"
    assert cell(headline_table([result(9, [1.0, 3.0])])) == "2.0 (1.0 to 3.0)"
    stacked = headline_table([result(3, [1.0, 3.0])] * 3)
    assert cell(stacked) == "2.0\n1.0 to 3.0\nindicative"


def _contents(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def one_result():
    return run_scenario(load_scenario(TWO_HOUSES).with_replications(2), keep_traces=True)


def test_a_run_that_fails_while_writing_leaves_the_earlier_results_as_they_were(
    one_result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Files were written one by one: a failure after kpis.json left a new kpis.json
    beside the earlier run's report and plots."""
    write_run(one_result, tmp_path, traces=True)
    before = _contents(tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scenarios.outputs.run_report", full_disk)
    later = run_scenario(load_scenario(TWO_HOUSES).with_replications(3))
    with pytest.raises(ScenarioRunError, match="No space left on device"):
        write_run(later, tmp_path)
    assert _contents(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_run_that_fails_while_writing_into_a_new_folder_leaves_no_folder(
    one_result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("scenarios.outputs.run_plots", broken)
    with pytest.raises(ScenarioRunError, match="Input/output error"):
        write_run(one_result, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_run_written_over_an_earlier_one_replaces_it_traces_included(one_result, tmp_path: Path):
    write_run(one_result, tmp_path, traces=True)
    assert (tmp_path / "traces" / "replication-1.jsonl").exists()
    later = run_scenario(load_scenario(TWO_HOUSES).with_replications(3))
    files = write_run(later, tmp_path)
    assert not (tmp_path / "traces").exists()  # the earlier run's, not this one's
    assert json.loads(files.kpis_json.read_text())["scenario"]["replications"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["kpis.json", "kpis.csv", "series.json", "report.html", *(p.name for p in files.plots)]
    )
