"""The packages are layered capacity <- matching <- scenarios <- api (STYLE.md rule 1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATABASE_MODULES = ("sqlalchemy", "alembic", "psycopg")
WEB_MODULES = ("fastapi", "starlette", "uvicorn")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def offending(package: str, banned: tuple[str, ...], *, skip: str | None = None) -> list[str]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if skip and skip in path.parts:
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in banned or any(
                module.startswith(b) for b in banned if "." in b
            ):
                out.append(f"{path.relative_to(ROOT)} imports {module}")
    return out


def test_import_linter_contracts_hold():
    """Runs import-linter's layers and forbidden contracts from pyproject.toml."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_matching_and_scenarios_import_no_database_web_or_persistence():
    banned = (*DATABASE_MODULES, *WEB_MODULES, "store")
    assert offending("matching", banned) == []
    assert offending("scenarios", banned) == []


def test_capacity_domain_code_imports_no_database_outside_persistence():
    assert offending("capacity", (*DATABASE_MODULES, *WEB_MODULES), skip="persistence") == []
