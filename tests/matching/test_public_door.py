"""matching's public door loads each name on first use (issue 17), and still hands out
exactly what ``__init__.pyi`` lists: the functions, never a module of the same name."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from pathlib import Path

import matching

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_resolves_to_what_it_names():
    assert matching.__all__ == sorted(matching.__all__)
    for name in matching.__all__:
        assert not isinstance(getattr(matching, name), types.ModuleType), name
    importlib.import_module("matching.solve")  # a submodule named like a function
    importlib.import_module("matching.explain")  # does not shadow it
    assert callable(matching.solve)
    assert callable(matching.explain)
    from matching import explain, solve

    assert solve.__module__ == "matching.solve"
    assert explain.__module__ == "matching.explain"


def test_a_small_solve_on_the_command_line_imports_no_rulebook_explanations_or_database():
    # issue 17: `opvang solve` on a tiny problem spent seconds importing what it never used
    code = (
        "import sys; from typer.testing import CliRunner; from api.cli import app; "
        "r = CliRunner().invoke(app, ['solve', 'docs/examples/first-round.json']); "
        "assert r.exit_code == 0, r.output; "
        "unused = ('capacity', 'matching.build', 'matching.explain', 'matching.shadow', "
        "'sqlalchemy', 'fastapi', 'store', 'flows', 'scenarios'); "
        "print([m for m in unused if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
