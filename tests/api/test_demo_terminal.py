"""``opvang demo`` read in an 80-column terminal (issue 17): the demo's own commands, run
as a new user runs them, quick variant.

Runs the installed command in a subprocess, because the solver's banner and Dask's
worker warnings are written by C code and by worker processes straight to the file
descriptors, where an in-process runner would not see them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WIDTH = 80  # columns of the terminal the demo must read well in
SCREEN = 30  # lines a section may take: one screen
NOISE = ("HiGHS", "Copyright", "THIRD_PARTY", "distributed.", "Worker process", "Traceback")
RULE = re.compile(r"^─+ (.+) ─+$")


def _opvang() -> str:
    found = shutil.which("opvang", path=str(Path(sys.executable).parent))
    assert found, "the opvang command is installed with the project"
    return found


def sections(text: str) -> dict[str, list[str]]:
    """The output cut at its rules (``──── title ────``): title -> lines under it."""
    out: dict[str, list[str]] = {}
    current = "(before the first rule)"
    for line in text.splitlines():
        if m := RULE.match(line):
            current = m.group(1)
            out[current] = []
        else:
            out.setdefault(current, []).append(line)
    return out


@pytest.mark.slow
def test_demo_fits_80_columns_one_screen_a_section_without_banners_or_warnings(
    tmp_path: Path,
):
    env = {k: v for k, v in os.environ.items() if k != "OPVANG_DATABASE_URL"}
    env.update(COLUMNS=str(WIDTH), LINES="40", TERM="dumb")
    quick = ["--time-limit", "10", "--scenario-days", "10", "--scenario-replications", "3"]
    run = subprocess.run(
        [_opvang(), "demo", *quick],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    for stream in (run.stdout, run.stderr):
        for noise in NOISE:
            assert noise not in stream, (noise, stream)
    assert run.stderr.strip() == ""
    too_wide = [line for line in run.stdout.splitlines() if len(line) > WIDTH]
    assert too_wide == []
    assert "…" not in run.stdout  # rich cuts a cell with an ellipsis: nothing is cut
    parts = sections(run.stdout)
    assert len(parts) >= 7, list(parts)
    for title, lines in parts.items():
        assert len(lines) <= SCREEN, (title, len(lines))
    assert (tmp_path / "demo-out" / "report.html").exists()
    # the words the issue found wrong
    for wrong in ("highly_complex", "1 accompanying children", "ages 18-120", "simulated days 0:"):
        assert wrong not in run.stdout
    assert not re.search(r"\(\+\d+\.\d\)", run.stdout)  # a difference without its unit
    assert "3 runs of 10 days, 100% done" in run.stdout  # not "30/30 simulated days"
    # rich drops the last columns of a table that cannot fit: every column is there
    assert re.search(r"^region +beds +free +region +beds +free$", run.stdout, re.M)
    assert re.search(r"^placement type .*occupancy$", run.stdout, re.M)
    # issue 15: the extra-bed values keep their numbers (they were cropped away)
    values = [ln for ln in parts["Where one more bed helps most"] if re.search(r"\d\.\d$", ln)]
    assert len(values) == 5, parts["Where one more bed helps most"]
    # issue 15: today's practice (calibrated), optimised and anticipatory side by side,
    # each with its interval ("a to b") under the mean
    assert re.search(r"cases\W+current-practice\W+optimised\W+anticipatory\W*$", run.stdout, re.M)
    assert "today's practice calibrated" in run.stdout
    assert re.search(r"^\W+(\d+\.\d to \d+\.\d\W+){3}$", run.stdout, re.M)
    assert "Anticipatory kept" in run.stdout
