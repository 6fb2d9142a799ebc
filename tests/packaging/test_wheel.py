"""A built wheel holds everything a non-editable install needs (issue 12: it held no
migrations, so ``opvang db upgrade`` failed on any install but an editable one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORED = (".venv", "build", "dist", ".git", "*.egg-info", "__pycache__", ".*_cache", "*.db*",
           "demo-out", "benchmarks")  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "opvang"
    # a clean copy: setuptools builds in ./build, whose leftovers would end up in the wheel
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("opvang-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_the_migrations_rulebooks_examples_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "store/migrations/env.py" in names
    assert "store/migrations/script.py.mako" in names
    versions = {n for n in names if n.startswith("store/migrations/versions/")}
    on_disk = {
        f"store/migrations/versions/{p.name}"
        for p in (ROOT / "store/migrations/versions").glob("*.py")
    }
    assert versions == on_disk
    assert "capacity/criteria/national-v1.yaml" in names
    assert "scenarios/examples/national-demo.yaml" in names
    assert "api/web/templates/base.html" in names
    assert "matching/__init__.pyi" in names  # lazy_loader reads the public door from it
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_an_installed_wheel_creates_and_migrates_a_database(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    database = tmp_path / "opvang.db"
    env = {**os.environ, "PYTHONPATH": str(target), "OPVANG_DATABASE_URL": f"sqlite:///{database}"}
    code = (
        f"import store; assert store.__file__.startswith({str(target)!r}), store.__file__; "
        "from api.cli import app; app(['db', 'upgrade'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "at revision" in done.stdout + done.stderr
    assert database.exists()
