"""Same seed, same KPIs: run twice, and in-process against a local Dask cluster."""

from __future__ import annotations

import pytest

from scenarios import (
    EXAMPLES_DIR,
    Scenario,
    dask_client,
    load_scenario,
    parse_scenario,
    replication_seed,
    run_scenarios,
)


def national(policy: str, horizon: int = 120) -> Scenario:
    base = load_scenario(EXAMPLES_DIR / f"national-demo-{policy}.yaml")
    spec = base.spec.model_copy(update={"horizon_days": horizon, "replications": 3})
    return Scenario(spec, base.source, base.rulebook, base.supply, base.demand)


def kpis(results):
    return [r.kpis for r in results], [[rep.trace for rep in r.replications] for r in results]


def run(scenarios, client=None):
    return run_scenarios(scenarios, client=client, keep_traces=True)


def test_replication_seed_is_the_spawned_child():
    import numpy as np

    child = np.random.SeedSequence(42).spawn(5)[3]
    assert replication_seed(42, 3).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_same_seed_gives_identical_kpis_and_traces(small_optimised):
    scenarios = [national("fifo"), parse_scenario(small_optimised)]
    assert kpis(run(scenarios)) == kpis(run(scenarios))


def test_another_seed_gives_other_arrivals(small_optimised):
    a = parse_scenario(small_optimised)
    b = parse_scenario(small_optimised.replace("seed: 5", "seed: 6"))
    (ra, rb) = run([a, b])
    assert ra.replications[0].trace.events != rb.replications[0].trace.events


@pytest.mark.slow
def test_in_process_and_local_dask_cluster_give_identical_kpis(small_optimised):
    scenarios = [
        national("fifo"),
        national("current-practice"),
        parse_scenario(small_optimised),
    ]
    here = run(scenarios)
    with dask_client(workers=2) as client:
        there = run(scenarios, client)
    assert kpis(here) == kpis(there)
    assert all(r.executor.startswith("dask (2 workers") for r in there)
    assert here[2].kpis["rounds"]["not_optimal"] == 0  # so the optimised rounds are exact


@pytest.mark.slow
def test_cli_runs_on_an_existing_cluster_given_by_address(tmp_path):
    from dask.distributed import LocalCluster
    from typer.testing import CliRunner

    from api.cli import app

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    )
    try:
        spec = str(EXAMPLES_DIR / "two-houses.yaml")
        args = ["scenario", "run", spec, "--out", str(tmp_path), "--replications", "2"]
        result = CliRunner().invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    finally:
        cluster.close()
    assert result.exit_code == 0, result.output
    assert f"1 workers at {cluster.scheduler_address}" in result.output.replace("\n", "")
