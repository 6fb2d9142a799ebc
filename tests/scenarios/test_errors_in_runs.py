"""An error raised inside a replication reaches the caller as itself, not as a TypeError.

``matching.InvalidProblemError(entry, reason)`` keeps only its message in ``args``: SimPy's
copy of a process's error (``type(exc)(*exc.args)``) and pickle's (a Dask worker's) were
``TypeError: __init__() missing 1 required positional argument: 'reason'``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest

from matching import InvalidProblemError
from scenarios import Scenario, ScenarioRunError, engine, run_scenario, runner


def _refused_round(self: engine.Simulation) -> None:
    raise InvalidProblemError("options[0] (S-00001 -> house-utrecht)", "stay_days is wrong")


def test_an_error_in_a_round_comes_out_of_simpy_as_itself(
    monkeypatch: pytest.MonkeyPatch, build: Callable[..., Scenario], two_houses: str
):
    monkeypatch.setattr(engine.Simulation, "_round", _refused_round)
    with pytest.raises(InvalidProblemError) as info:
        run_scenario(build(two_houses, policy="fifo"))
    assert (info.value.entry, info.value.reason) == (
        "options[0] (S-00001 -> house-utrecht)",
        "stay_days is wrong",
    )


def test_an_error_on_a_dask_worker_travels_back_with_its_message(
    monkeypatch: pytest.MonkeyPatch, build: Callable[..., Scenario], two_houses: str
):
    def refused(*_args: object) -> None:
        raise InvalidProblemError("options[0]", "stay_days is wrong")

    monkeypatch.setattr(runner, "replicate", refused)
    with pytest.raises(ScenarioRunError) as info:
        runner._on_worker(build(two_houses, policy="fifo"), 1, False)
    back = pickle.loads(pickle.dumps(info.value))  # what Dask does with it
    assert str(back) == "two-houses, replication 1: options[0]: stay_days is wrong"
