"""docs/import.md lists every column of every template, and its example files import
cleanly into a database that has the national funding streams and the organisations
(issue 16)."""

from __future__ import annotations

from pathlib import Path

from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from flows.imports import COLUMNS, Kind, import_file
from store import OrganisationRepository, Repository, ensure_database, session_scope

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples" / "import"


def test_every_template_column_is_documented_with_both_headers():
    text = (DOCS / "import.md").read_text()
    for kind in Kind:
        for column in COLUMNS[kind]:
            assert f"| `{column.field}` | `{column.dutch}` |" in text, column


def test_the_example_files_import_without_a_problem(tmp_path):
    dataset = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
    engine = ensure_database(f"sqlite:///{tmp_path / 'opvang.db'}")
    with session_scope(engine) as session:
        Repository(session).save_dataset(
            type(dataset)(DEMO_AS_OF, (), dataset.funding_streams, (), (), (), ())
        )
        # the example cases' organisations are on the managed list (issue 14)
        OrganisationRepository(session).ensure(["CoMensha", "Zorgcoördinatie Utrecht"])
    files = [
        (Kind.FACILITIES, "facilities.xlsx"),
        (Kind.FACILITIES, "facilities.csv"),
        (Kind.CASES, "cases.csv"),
        (Kind.PLACEMENTS, "placements.csv"),
    ]
    for kind, name in files:
        with session_scope(engine) as session:
            report = import_file(
                session, kind, (EXAMPLES / name).read_bytes(), filename=name, by="t", dry_run=False
            )
        assert report.problems == (), (name, report.problems)
    with session_scope(engine) as session:
        repo = Repository(session)
        assert len(repo.facilities()) == 2
        assert repo.case("C-2026-0901").accompanying_children == 1
        assert len(repo.placements()) == 1
    engine.dispose()
