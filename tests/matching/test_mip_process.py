"""MIPs in a worker process: the same answers, abandoned on time, and no second run of main.

Unseen sweep seeds 880 and 981 (T = 5 s) had a proof MIP answer 0.97 and 1.07 s late: a
round of HiGHS's root cuts with an incumbent answers neither its time limit nor a cancel.
:mod:`matching.mip_process` runs such MIPs in a worker it can kill.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from matching import mip_process
from matching.budget_repair import sub_mip
from matching.evaluation import plan_objective, plan_violations
from matching.formulation import build_formulation
from matching.greedy import solve_greedy
from matching.highs_run import GUARD_GRACE
from matching.instances import SIZES, random_problem
from matching.lpmodel import LinearModel, assemble
from matching.mip import Plan, model_value, run_checked
from matching.mip_worker import MipTask, make_highs
from matching.problem_io import problem_from_dict

pytestmark = pytest.mark.skipif(not mip_process.isolated(), reason="no worker processes here")


@pytest.fixture(autouse=True)
def _every_model_to_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The models here are small; in the product, those under ``WORKER_COLUMNS`` columns
    stay in-process (:func:`test_small_models_stay_in_this_process`)."""
    monkeypatch.setattr(mip_process, "WORKER_COLUMNS", 0)


def _model(size: str, seed: int) -> LinearModel:
    return assemble(build_formulation(random_problem(SIZES[size], seed)))


def _ready_worker() -> mip_process._Worker:
    """The waiting worker, once it has imported the solver."""
    mip_process.warm()
    until = time.perf_counter() + 60
    while time.perf_counter() < until:
        with mip_process._lock:
            if mip_process._spare and mip_process._spare[0].is_ready():
                return mip_process._spare[0]
        time.sleep(0.05)
    raise AssertionError("no worker became ready in 60 s")


@pytest.mark.parametrize("seed", range(3))
def test_a_worker_solves_as_this_process_does(seed: int) -> None:
    model = _model("small", seed)
    task = MipTask(model, (("mip_max_nodes", 200),), None, seed, 1, 1e-6)
    here = run_checked(lambda: make_highs(task), model, time.perf_counter() + 30)
    worker = _ready_worker()
    there = mip_process.run_mip(task, time.perf_counter() + 30)
    assert there.col_value is not None
    assert here.col_value is not None
    assert there.optimal == here.optimal
    assert there.objective == pytest.approx(here.objective, abs=1e-6)
    assert model_value(model, there.col_value) == pytest.approx(there.objective, abs=1e-6)
    assert there.dual_bound <= there.objective + 1e-6
    assert mip_process._spare == [worker]  # it answered, and waits for the next run


def test_a_worker_past_its_deadline_is_abandoned_and_killed() -> None:
    """The worker is told it has a minute; the round's deadline is now: back within the
    grace, the worker gone, a new one started, nothing claimed but what it reported."""
    model = _model("S", 3)
    task = MipTask(model, (), None, 0, 1, 0.0)
    worker = _ready_worker()
    taken = mip_process._take()
    assert taken is worker
    worker.conn.send((task, 60.0))
    t0 = time.perf_counter()
    run = mip_process._follow(worker, task, deadline=t0)
    assert time.perf_counter() - t0 < GUARD_GRACE + 0.5
    assert not run.optimal
    assert run.status.startswith("abandoned at the deadline")
    assert worker.process.poll() is not None
    if run.col_value is not None:
        assert run.objective == pytest.approx(model_value(model, run.col_value))
    assert mip_process._spare
    assert mip_process._spare[0] is not worker


def _budgeted(ref: ModuleType, seed: int) -> tuple[LinearModel, float]:
    """A model HiGHS takes 0.5-4 s on (40 cases, binding budgets, short stays, keep-apart
    pairs) and the independent reference's optimum of the same round."""
    data = ref.random_instance(
        seed, n_cases=40, n_facilities=6, horizon=14, n_streams=3, budget_share=0.6,
        n_keep_apart=4,
    )  # fmt: skip
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    return assemble(build_formulation(problem_from_dict(data))), optimum


@pytest.mark.parametrize("seed", range(3))
def test_every_bound_and_plan_a_worker_reports_holds(ref: ModuleType, seed: int) -> None:
    """What the parent keeps of an abandoned worker is what it reported: each dual bound
    (HiGHS's interrupt callback) at most the independent reference's optimum, each plan at
    least it, and the answer optimal."""
    model, optimum = _budgeted(ref, seed)
    task = MipTask(model, (), None, 0, 1, 0.0)
    worker = _ready_worker()
    assert mip_process._take() is worker
    worker.conn.send((task, 60.0))
    reports: list[tuple[str, Any]] = []
    while (message := worker.conn.recv())[0] != "done":
        reports.append(message)
    mip_process._give_back(worker)
    run = message[1]
    bounds = [value for kind, value in reports if kind == "bound"]
    plans = [model_value(model, values) for kind, values in reports if kind == "plan"]
    assert bounds  # the run lasted long enough to report both
    assert plans
    assert max(bounds) <= optimum + 1e-6
    assert min(plans) >= optimum - 1e-6
    assert run.optimal
    assert run.objective == pytest.approx(optimum, abs=1e-6)


def test_an_abandoned_worker_claims_its_best_reported_bound_and_no_more(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Abandoned half a second in (the solve takes seconds): the bound returned is the
    highest the worker reported, a real one (above the single-case bound of -inf) and at
    most the reference's optimum; the plan returned is the best reported, at least it."""
    model, optimum = _budgeted(ref, 1)
    task = MipTask(model, (), None, 0, 1, 0.0)
    worker = _ready_worker()
    assert mip_process._take() is worker
    seen: list[tuple[str, Any]] = []
    receive = worker.conn.recv

    def recorded() -> Any:
        message = receive()
        seen.append(message)
        return message

    monkeypatch.setattr(worker.conn, "recv", recorded)
    worker.conn.send((task, 60.0))
    run = mip_process._follow(worker, task, deadline=time.perf_counter() + 0.5)
    assert run.status.startswith("abandoned at the deadline")
    bounds = [value for kind, value in seen if kind == "bound"]
    assert bounds
    assert run.dual_bound == max(bounds)
    assert run.dual_bound <= optimum + 1e-6
    plans = [model_value(model, values) for kind, values in seen if kind == "plan"]
    if plans:
        assert run.objective == min(plans)
        assert run.objective >= optimum - 1e-6
    else:
        assert run.col_value is None


@pytest.mark.parametrize("seed", range(2))
def test_the_sub_mips_run_in_a_worker_which_tells_each_better_plan(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Fix-and-optimise's, the neighbourhood search's and RINS's sub-MIPs run to their
    deadline like the proof MIP: HiGHS answered its cancel 0.7-1.2 s late on a
    neighbourhood of 25,058 columns in this process (unseen sweep seed 1732, T = 5 s), and
    the bound after it got no time. Here one runs in the worker, which tells each plan
    better than its start as it comes (the round's progress shows them then), each one
    keeping every rule and the last one the answer."""
    data = ref.random_instance(
        seed, n_cases=40, n_facilities=6, horizon=14, n_streams=3, budget_share=0.6,
        n_keep_apart=4,
    )  # fmt: skip
    problem = problem_from_dict(data)
    form = build_formulation(problem)
    start = solve_greedy(problem, form).plan
    followed: list[object] = []
    follow = mip_process._follow

    def spied(*args: Any) -> Any:
        followed.append(args[0])
        return follow(*args)

    monkeypatch.setattr(mip_process, "_follow", spied)
    told: list[Plan] = []
    worker = _ready_worker()
    columns = np.arange(form.n_vars, dtype=np.int64)
    found = sub_mip(form, [], start, columns, time.perf_counter() + 30, 0, 1, told.append)
    assert followed == [worker]
    assert found is not None
    assert told  # the greedy's plan is not optimal on these rounds
    values = [plan_objective(problem, plan) for plan in told]
    assert all(later < earlier for earlier, later in itertools.pairwise(values))
    assert values[0] < plan_objective(problem, start)
    assert all(plan_violations(problem, plan) == [] for plan in told)
    assert plan_objective(problem, found) == pytest.approx(values[-1])


def test_a_worker_that_died_is_replaced_and_the_run_made_here() -> None:
    model = _model("small", 5)
    task = MipTask(model, (), None, 0, 1, 1e-6)
    worker = _ready_worker()
    worker.process.kill()
    worker.process.wait()
    run = mip_process.run_mip(task, time.perf_counter() + 30)
    assert run.optimal
    assert mip_process.isolated()  # a worker that was ready and died is not a broken setup
    assert mip_process._spare
    assert mip_process._spare[0] is not worker


def test_without_a_ready_worker_and_not_in_process_nothing_runs() -> None:
    model = _model("small", 6)
    task = MipTask(model, (), None, 0, 1, 1e-6)
    mip_process._stop()  # no worker waiting
    assert mip_process.run_mip(task, time.perf_counter() + 30, in_process=False) is None
    assert mip_process._spare  # one is being started for the next run


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """multiprocessing's children import the caller's main module again (a script without
    a ``__main__`` guard ran twice in the first version); the worker is a plain process,
    and it writes nothing on the caller's stdout (HiGHS prints its banner there)."""
    script = tmp_path / "round.py"
    script.write_text(
        textwrap.dedent(
            """
            import time
            from matching import mip_process
            from matching.formulation import build_formulation
            from matching.instances import SIZES, random_problem
            from matching.lpmodel import assemble
            from matching.mip_worker import MipTask

            print("started", flush=True)
            mip_process.WORKER_COLUMNS = 0  # the model is small
            model = assemble(build_formulation(random_problem(SIZES["small"], 1)))
            task = MipTask(model, (), None, 0, 1, 1e-6)
            mip_process.warm()
            until = time.perf_counter() + 60
            while not mip_process._spare[0].is_ready() and time.perf_counter() < until:
                time.sleep(0.05)
            run = mip_process.run_mip(task, time.perf_counter() + 30, in_process=False)
            print(run is not None and run.optimal, flush=True)
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.split() == ["started", "True"]


def test_small_models_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker costs about 6 ms a run: the scenario year's 224 small MIPs stay here."""
    model = _model("small", 7)
    monkeypatch.setattr(mip_process, "WORKER_COLUMNS", model.n_cols + 1)
    worker = _ready_worker()
    task = MipTask(model, (), None, 0, 1, 1e-6)
    sent: list[object] = []
    monkeypatch.setattr(worker.conn, "send", sent.append)
    run = mip_process.run_mip(task, time.perf_counter() + 30)
    assert run.optimal
    assert sent == []
    assert mip_process.run_mip(task, time.perf_counter() + 30, in_process=False) is None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_worker_memory_is_known_to_benchmarks() -> None:
    """A round's peak memory must count the worker's: it holds a copy of the model."""
    model = _model("small", 8)
    _ready_worker()
    mip_process.run_mip(MipTask(model, (), None, 0, 1, 1e-6), time.perf_counter() + 30)
    assert 20 < mip_process.worker_peak_mb() < 2_000  # numpy, SciPy, HiGHS and a model


def test_small_rounds_start_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario's rounds are small: a worker in every simulating process would cost 0.3 s
    of CPU and about 100 MB each, for MIPs that stay in-process anyway."""
    from matching.exact import solve_exact

    monkeypatch.setattr(mip_process, "WORKER_COLUMNS", 5_000)
    mip_process._stop()
    out = solve_exact(random_problem(SIZES["small"], 9), deadline=time.perf_counter() + 30)
    assert out.optimal
    assert mip_process._spare == []
