"""The family benchmark's runs: each in its own process, killed well past its limit."""

from __future__ import annotations

import pytest

from benchmarks.matching import family


def test_a_run_past_its_limit_is_killed_and_reported_as_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HiGHS does not answer its limit everywhere (the reference on unseen sweep seed 2872
    ran 10 minutes of 30 s); the benchmark must go on to the next row."""
    monkeypatch.setattr(family, "KILL_GRACE_SECONDS", 0.0)
    row = family._run("demo", "S", 1, "reference", 0.05)  # the interpreter alone takes longer
    assert row["status"] == "error"
    assert row["error"] == "killed 0 s past its limit of 0.05 s"
