"""Importing a region's tables (issue 16): every error class, all or nothing, idempotent,
Dutch or English headers, and the demo dataset exported and imported again unchanged."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from capacity import (
    Case,
    CaseStatus,
    Dataset,
    ExploitationType,
    FundingStream,
    Gender,
    Need,
    PlacementType,
    ResidenceStatus,
    SafetyRisk,
)
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from capacity.regions import region_ids
from flows import InvalidInputError
from flows.imports import Action, Kind, export_rows, headers, import_file, template_row
from flows.imports.rows import parse
from flows.spreadsheets import csv_bytes, read_table, xlsx_bytes
from store import OrganisationRepository, Repository, ensure_database, session_scope
from store.models import AuditRow

STREAM = FundingStream(
    id="wmo-utrecht",
    name="Wmo/DUVO Utrecht",
    payer="centrumgemeente Utrecht",
    placement_types=frozenset({PlacementType.WOMENS_SHELTER}),
    case_categories=frozenset({"adult_nl_eu"}),
    region_id="utrecht",
)

ORGANISATIONS = ("CoMensha", "Zorgcoördinatie Utrecht")

FACILITIES_CSV = (
    "id;name;provider_id;provider_name;region_id;placement_type;beds;"
    "funding_stream_id;cost_per_bed_day;specialisms;secret_address\n"
    "vo-utrecht;Vrouwenopvang Utrecht;moviera;Moviera;utrecht;womens_shelter;8;"
    "wmo-utrecht;145,50;trauma_care; ja\n"
    "vo-zeist;Vrouwenopvang Zeist;moviera;Moviera;utrecht;womens_shelter;4;"
    "wmo-utrecht;150;;nee\n"
)

CASES_CSV = (
    "casusnummer,intakedatum,leeftijd,geslacht,verblijfsstatus,uitbuitingsvorm,"
    "regio van signalering,regio van uitbuiting,verantwoordelijke organisatie,"
    "zorgbehoeften,Taal tolk,status\n"
    "C-2026-0101,2026-10-01,31,female,eu,sexual,utrecht,amsterdam,"
    "Zorgcoördinatie Utrecht,trauma_care;interpreter,ro,waiting\n"
    "C-2026-0102,15-10-2026,24,female,nl,labour,utrecht,utrecht,CoMensha,,,placed\n"
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = ensure_database(database_url)
    with session_scope(engine) as session:
        Repository(session).save_dataset(
            Dataset(
                as_of=datetime(2026, 11, 1, tzinfo=UTC),
                providers=(),
                funding_streams=(STREAM,),
                facilities=(),
                cases=(),
                placements=(),
                reports=(),
            )
        )
        # the managed list a case's responsible organisation comes from (issue 14)
        OrganisationRepository(session).ensure(ORGANISATIONS)
    yield engine
    engine.dispose()


def run(
    engine: Engine, kind: Kind, text: str, *, dry_run: bool = False, name: str = "t.csv"
) -> object:
    with session_scope(engine) as session:
        return import_file(session, kind, text.encode(), filename=name, by="admin", dry_run=dry_run)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_facilities_import_with_semicolons_creates_providers_and_is_idempotent(engine):
    first = run(engine, Kind.FACILITIES, FACILITIES_CSV)
    assert first.problems == ()
    assert [c.id for c in first.changes] == ["vo-utrecht", "vo-zeist"]
    assert first.written
    with session_scope(engine) as session:
        repo = Repository(session)
        assert [p.name for p in repo.providers()] == ["Moviera"]
        utrecht = repo.facility("vo-utrecht")
        assert utrecht.cost_per_bed_day == 145.5
        assert utrecht.secret_address is True
        audits = count(session, AuditRow)
    again = run(engine, Kind.FACILITIES, FACILITIES_CSV)
    assert again.changes == ()
    assert again.unchanged == 2
    with session_scope(engine) as session:
        # nothing changed: only the import itself is audited
        assert count(session, AuditRow) == audits + 1


def test_a_changed_row_is_an_update_naming_the_fields(engine):
    run(engine, Kind.FACILITIES, FACILITIES_CSV)
    changed = FACILITIES_CSV.replace(";8;", ";9;")
    report = run(engine, Kind.FACILITIES, changed)
    assert [(c.id, c.action, c.fields) for c in report.changes] == [
        ("vo-utrecht", Action.UPDATE, ("beds",))
    ]
    with session_scope(engine) as session:
        assert Repository(session).facility("vo-utrecht").beds == 9


def test_dutch_headers_and_dutch_dates_are_read(engine):
    report = run(engine, Kind.CASES, CASES_CSV)
    assert report.problems == ()
    with session_scope(engine) as session:
        case = Repository(session).case("C-2026-0102")
        assert case.intake_date.isoformat() == "2026-10-15"
        assert Repository(session).case("C-2026-0101").interpreter_language == "ro"


BAD_CASES = (
    "id,intake_date,age,gender,residence_status,exploitation_type,region_signalled,"
    "region_of_exploitation,responsible_organisation\n"
    "C-2026-0201,2026-10-01,dertig,female,eu,sexual,utrecht,utrecht,CoMensha\n"
    "C-2026-0202,2026-10-01,30,female,eu,sexual,atlantis,utrecht,CoMensha\n"
    "C-2026-0203,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
    "C-2026-0203,2026-10-02,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
    "C-2026-0204,2026-10-01,30,female,eu,sexual,utrecht,utrecht,"
    "Maria Jansen 06-12345678\n"
    "C-2026-0205,2026-10-01,30,femme,eu,sexual,utrecht,utrecht,CoMensha\n"
)


@pytest.mark.parametrize("dry_run", [True, False])
def test_every_error_class_is_reported_by_row_column_and_value_and_nothing_is_written(
    engine, dry_run
):
    report = run(engine, Kind.CASES, BAD_CASES, dry_run=dry_run)
    found = [(p.row, p.column, p.value) for p in report.problems]
    assert found == [
        (2, "age", "dertig"),
        (3, "region_signalled", "atlantis"),
        (5, "id", "C-2026-0203"),
        (6, "responsible_organisation", "Maria Jansen 06-12345678"),
        (7, "gender", "femme"),
    ]
    reasons = {p.row: p.reason for p in report.problems}
    assert reasons[2] == "must be a whole number"
    assert reasons[3] == "unknown region 'atlantis'"
    assert reasons[5] == "'C-2026-0203' is on row 4 already"
    assert "phone number" in reasons[6]
    assert reasons[7] == "is not one of: female, male, x"
    assert not report.written
    with session_scope(engine) as session:
        assert Repository(session).cases() == []  # all or nothing: row 4 was fine
        assert count(session, AuditRow) == 0


def test_the_header_is_checked_first(engine):
    text = "id,leeftijd,colour\nC-2026-0001,30,red\n"
    report = run(engine, Kind.CASES, text)
    reasons = [(p.row, p.column, p.reason) for p in report.problems]
    assert (1, "colour", "is not a column of the cases template (see docs/import.md)") in reasons
    assert (1, "intake_date", "is a required column and is missing") in reasons


def test_an_import_does_not_move_a_case_through_its_lifecycle(engine):
    run(engine, Kind.CASES, CASES_CSV)
    report = run(engine, Kind.CASES, CASES_CSV.replace(",placed", ",discharged"))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "status", "discharged")]


def test_placements_refer_to_stored_cases_and_keep_families_whole(engine):
    run(engine, Kind.FACILITIES, FACILITIES_CSV)
    run(engine, Kind.CASES, CASES_CSV)
    text = (
        "id,case_id,facility_id,beds,start,expected_end\n"
        "PL-1,C-2026-0102,vo-utrecht,1,2026-10-20,2027-04-20\n"
        "PL-2,C-2026-9999,vo-utrecht,1,2026-10-20,2027-04-20\n"
        "PL-3,C-2026-0101,vo-utrecht,2,2026-10-20,2027-04-20\n"
        "PL-4,C-2026-0101,vo-utrecht,1,2026-10-20,2026-10-01\n"
    )
    report = run(engine, Kind.PLACEMENTS, text, dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "case_id"),
        (4, "beds"),
        (5, "expected_end"),
    ]
    assert report.problems[0].reason == "unknown case 'C-2026-9999' (import the cases first)"
    assert [c.id for c in report.changes] == ["PL-1"]


def test_a_file_that_is_not_a_table_is_refused(engine):
    with session_scope(engine) as session, pytest.raises(InvalidInputError):
        import_file(session, Kind.CASES, b"PK\x03\x04junk", filename="x.xlsx", by="a", dry_run=True)
    with session_scope(engine) as session, pytest.raises(InvalidInputError):
        import_file(session, Kind.CASES, b"id\n", filename="x.txt", by="a", dry_run=True)


def _tables(engine: Engine) -> tuple[object, ...]:
    with session_scope(engine) as session:
        repo = Repository(session)
        return (repo.providers(), repo.facilities(), repo.cases(), repo.placements())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_dataset_exported_and_imported_again_gives_identical_tables(tmp_path, fmt):
    dataset = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
    source = ensure_database(f"sqlite:///{tmp_path / 'source.db'}")
    target = ensure_database(f"sqlite:///{tmp_path / 'target.db'}")
    with session_scope(source) as session:
        Repository(session).save_dataset(dataset)
    with session_scope(target) as session:  # the national funding streams come first
        Repository(session).save_dataset(
            type(dataset)(
                as_of=dataset.as_of,
                providers=(),
                funding_streams=dataset.funding_streams,
                facilities=(),
                cases=(),
                placements=(),
                reports=(),
            )
        )
        # and the managed organisations (issue 14)
        OrganisationRepository(session).ensure(c.responsible_organisation for c in dataset.cases)
    for kind in (Kind.FACILITIES, Kind.CASES, Kind.PLACEMENTS):
        with session_scope(source) as session:
            rows = list(export_rows(session, kind))
        if fmt == "csv":
            data = csv_bytes(headers(kind), rows)
        else:
            data = xlsx_bytes(headers(kind), rows, sheet=str(kind))
        with session_scope(target) as session:
            report = import_file(
                session, kind, data, filename=f"{kind}.{fmt}", by="admin", dry_run=False
            )
        assert report.problems == (), report.problems[:3]
        with session_scope(target) as session:
            again = import_file(
                session, kind, data, filename=f"{kind}.{fmt}", by="admin", dry_run=False
            )
        assert again.changes == ()
    assert _tables(target) == _tables(source)
    source.dispose()
    target.dispose()


def test_times_in_an_export_keep_their_moment(tmp_path):
    stamp = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    data = csv_bytes(["when"], [[stamp]])
    assert b"2026-03-01T08:30:00+00:00" in data


def test_a_case_in_two_beds_or_a_facility_over_its_beds_is_refused(engine):
    run(engine, Kind.FACILITIES, FACILITIES_CSV)  # vo-zeist: 4 beds
    families = "".join(
        f"C-2026-05{i:02d},2026-09-01,30,female,eu,sexual,utrecht,utrecht,CoMensha,1,placed\n"
        for i in range(3)
    )
    header = BAD_CASES.split("\n", 1)[0] + ",accompanying_children,status\n"
    assert run(engine, Kind.CASES, header + families).problems == ()
    text = (
        "id,case_id,facility_id,beds,start,expected_end,actual_end\n"
        "PL-1,C-2026-0500,vo-zeist,2,2026-09-10,2027-03-10,\n"
        "PL-2,C-2026-0501,vo-zeist,2,2026-09-20,2027-03-20,\n"
        "PL-3,C-2026-0502,vo-zeist,2,2026-10-01,2027-04-01,\n"  # 6 of 4 beds
        "PL-4,C-2026-0500,vo-utrecht,2,2026-11-01,2027-04-01,\n"  # while in PL-1
        "PL-5,C-2026-0502,vo-utrecht,2,2027-04-01,2027-09-01,\n"  # after PL-3: fine
    )
    report = run(engine, Kind.PLACEMENTS, text, dry_run=True)
    assert [(p.row, p.column) for p in report.problems] == [(4, "facility_id"), (5, "start")], (
        report.problems
    )
    assert (
        report.problems[0].reason
        == "vo-zeist has 4 beds; with this placement 6 would be taken on 2026-10-01"
    )
    assert "a case is in one bed at a time" in report.problems[1].reason
    assert [c.id for c in report.changes] == ["PL-1", "PL-2", "PL-5"]


def test_an_intake_in_the_future_is_refused(engine):
    header = BAD_CASES.split("\n", 1)[0]
    text = header + "\nC-2026-0601,2099-01-01,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
    report = run(engine, Kind.CASES, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "intake_date", "2099-01-01")
    ]
    assert report.problems[0].reason.startswith("lies in the future")


@st.composite
def cases(draw: st.DrawFn) -> Case:
    needs = draw(st.frozensets(st.sampled_from(list(Need))))
    age = draw(st.integers(0, 120))
    regions = sorted(region_ids())
    return Case(
        id=f"C-{draw(st.integers(2000, 2026))}-{draw(st.integers(1, 9999)):04d}",
        intake_date=draw(st.dates(date(2000, 1, 1), date(2026, 12, 1))),
        age=age,
        gender=draw(st.sampled_from(list(Gender))),
        residence_status=draw(st.sampled_from(list(ResidenceStatus))),
        exploitation_type=draw(st.sampled_from(list(ExploitationType))),
        region_signalled=draw(st.sampled_from(regions)),
        region_of_exploitation=draw(st.sampled_from(regions)),
        responsible_organisation=draw(
            st.sampled_from(["CoMensha", "Zorgcoördinatie Utrecht", "=Fier", "-Jade", "+x"])
        ),
        accompanying_children=draw(st.integers(0, 12)),
        needs=needs,
        safety_risk=draw(st.sampled_from(list(SafetyRisk))),
        interpreter_language="ro" if Need.INTERPRETER in needs else None,
        preferred_regions=tuple(draw(st.lists(st.sampled_from(regions), unique=True, max_size=3))),
        unaccompanied=age < 18 and draw(st.booleans()),
        status=draw(st.sampled_from(list(CaseStatus))),
    )


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(["csv", "xlsx"]), st.booleans())
def test_any_case_survives_its_template_row_in_either_format_and_language(case, fmt, dutch):
    """A file written from records reads back as the same records (what an export and a
    re-import rest on), formula-looking texts included."""
    row = template_row(Kind.CASES, case)
    header = headers(Kind.CASES, dutch=dutch)
    data = csv_bytes(header, [row]) if fmt == "csv" else xlsx_bytes(header, [row], sheet="c")
    parsed, problems = parse(Kind.CASES, read_table(data, f"cases.{fmt}"))
    assert problems == []
    assert [p.record for p in parsed] == [case]


@pytest.mark.parametrize("kind", list(Kind))
def test_every_field_of_a_record_has_a_template_column(kind):
    """A new field on Facility, Case or Placement needs its import column (issue 16)."""
    from flows.imports.rows import RECORD_TYPES

    fields = {f.name for f in dataclasses.fields(RECORD_TYPES[kind])}
    assert fields <= set(headers(kind))


# -- the audit of issue 16's import: bounds, stored placements, lifecycle, files ----------

FACILITY_HEADER = FACILITIES_CSV.split("\n", 1)[0]
PLACEMENT_HEADER = "id,case_id,facility_id,beds,start,expected_end,actual_end\n"


def test_a_cost_per_bed_day_beyond_any_care_bed_is_refused(engine):
    """1e308 was imported, and every round's cost sums overflowed after it."""
    text = FACILITIES_CSV.replace(";145,50;", ";1e308;").replace(";150;", ";100000;")
    report = run(engine, Kind.FACILITIES, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "cost_per_bed_day", "1e308")
    ]
    assert report.problems[0].reason == (
        "must be from 0 to 100000 euros per bed per day (no care bed costs more)"
    )
    with session_scope(engine) as session:
        assert Repository(session).facilities() == []  # all or nothing


def test_coordinates_outside_the_netherlands_are_refused_naming_the_column(engine):
    header = FACILITY_HEADER + ";lat;lon\n"
    rows = FACILITIES_CSV.split("\n")[1:3]
    text = header + f"{rows[0]};95;5\n" + f"{rows[1]};52,1;200\n"
    report = run(engine, Kind.FACILITIES, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "lat", "95"),
        (3, "lon", "200"),
    ]
    assert "must lie in the Netherlands: from 50 to 54 degrees north" in report.problems[0].reason
    assert "from 3 to 7.5 degrees east" in report.problems[1].reason
    fine = header + f"{rows[0]};52,09;5,12\n"
    assert run(engine, Kind.FACILITIES, fine).problems == ()


def test_a_row_with_several_bad_fields_has_a_problem_for_each_on_its_row(engine):
    """A facility of 1e308 euros a day at 95 degrees north was named for its cost only; its
    coordinates showed when the cost was mended and the file imported again."""
    header = FACILITY_HEADER + ";lat;lon\n"
    rows = FACILITIES_CSV.split("\n")[1:3]
    dear = rows[0].replace(";145,50;", ";1e308;")
    report = run(engine, Kind.FACILITIES, header + f"{dear};95;200\n" + f"{rows[1]};52,1;5\n")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "cost_per_bed_day", "1e308"),
        (2, "lat", "95"),
        (2, "lon", "200"),
    ]
    reasons = [p.reason for p in report.problems]
    assert reasons[0] == "must be from 0 to 100000 euros per bed per day (no care bed costs more)"
    assert "from 50 to 54 degrees north" in reasons[1]
    assert "from 3 to 7.5 degrees east" in reasons[2]


def test_a_case_row_with_two_unknown_regions_names_both_columns(engine):
    text = BAD_CASES.split("\n", 1)[0] + "\n"
    text += "C-2026-0206,2026-10-01,30,female,eu,sexual,atlantis,mordor,CoMensha\n"
    report = run(engine, Kind.CASES, text)
    assert [(p.row, p.column, p.value, p.reason) for p in report.problems] == [
        (2, "region_signalled", "atlantis", "unknown region 'atlantis'"),
        (2, "region_of_exploitation", "mordor", "unknown region 'mordor'"),
    ]


def _placed_at_utrecht(engine: Engine) -> None:
    """vo-utrecht (8 beds) holds C-2026-0102 (1 bed, placed) from 2026-10-20 on."""
    run(engine, Kind.FACILITIES, FACILITIES_CSV)
    run(engine, Kind.CASES, CASES_CSV)
    text = PLACEMENT_HEADER + "PL-1,C-2026-0102,vo-utrecht,1,2026-10-20,2027-04-20,\n"
    assert run(engine, Kind.PLACEMENTS, text).problems == ()


def test_beds_cut_below_what_placements_hold_are_refused_naming_both_numbers(engine):
    _placed_at_utrecht(engine)
    report = run(engine, Kind.FACILITIES, FACILITIES_CSV.replace(";8;", ";0;"))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "beds", "0")]
    assert report.problems[0].reason == (
        "vo-utrecht's placements hold 1 of its beds from today on; its beds cannot be cut "
        "to 0 (end those placements first)"
    )
    with session_scope(engine) as session:
        assert Repository(session).facility("vo-utrecht").beds == 8
    assert run(engine, Kind.FACILITIES, FACILITIES_CSV.replace(";8;", ";1;")).problems == ()


def test_a_placement_before_its_cases_intake_is_refused(engine):
    run(engine, Kind.FACILITIES, FACILITIES_CSV)
    run(engine, Kind.CASES, CASES_CSV)  # C-2026-0102: intake 2026-10-15, placed
    text = PLACEMENT_HEADER + "PL-1,C-2026-0102,vo-utrecht,1,2026-10-01,2027-04-01,\n"
    report = run(engine, Kind.PLACEMENTS, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "start", "2026-10-01")]
    assert report.problems[0].reason == (
        "is before case C-2026-0102's intake on 2026-10-15: a placement starts on or after "
        "its case's intake"
    )


def test_a_waiting_case_in_a_bed_is_refused_unless_the_bed_bridges_or_has_ended(engine):
    """Accepting a proposal places a case; only a bridge bed keeps it waiting (issue 14)."""
    crisis = f"{FACILITY_HEADER}\ncrisis-utrecht;Crisisopvang;moviera;Moviera;utrecht;crisis;2;"
    run(engine, Kind.FACILITIES, FACILITIES_CSV)
    assert run(engine, Kind.FACILITIES, crisis + "wmo-utrecht;200;;nee\n").problems == ()
    run(engine, Kind.CASES, CASES_CSV)  # C-2026-0101 waits
    text = PLACEMENT_HEADER + (
        "PL-1,C-2026-0101,vo-utrecht,1,2026-10-20,2027-04-20,\n"  # in a bed, waiting
        "PL-2,C-2026-0101,vo-zeist,1,2026-10-02,2026-10-10,2026-10-05\n"  # ended: history
        "PL-3,C-2026-0101,crisis-utrecht,1,2026-10-10,2026-10-13,\n"  # a bridge bed
    )
    report = run(engine, Kind.PLACEMENTS, text, dry_run=True)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "case_id", "C-2026-0101")]
    assert report.problems[0].reason.startswith(
        "case C-2026-0101 is waiting, but this placement holds beds"
    )
    assert "a case in a bed is placed, as accepting a proposal makes it" in (
        report.problems[0].reason
    )
    assert [c.id for c in report.changes] == ["PL-2", "PL-3"]


def test_an_organisation_not_on_the_managed_list_is_refused_as_at_intake(engine):
    """The API's intake rule (flows.cases.check_organisation), not a copy of it."""
    header = BAD_CASES.split("\n", 1)[0]
    text = header + "\nC-2026-0701,2026-10-01,30,female,eu,sexual,utrecht,utrecht,Jan de Vries\n"
    report = run(engine, Kind.CASES, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "responsible_organisation", "Jan de Vries")
    ]
    assert report.problems[0].reason.startswith("is not on the list of organisations")
    with session_scope(engine) as session:
        assert Repository(session).cases() == []


def test_a_stored_case_keeps_an_organisation_taken_off_the_list(engine):
    """As in the service: cases an organisation holds keep its name when it is removed."""
    run(engine, Kind.CASES, CASES_CSV)
    with session_scope(engine) as session:
        OrganisationRepository(session).remove("Zorgcoördinatie Utrecht")
    again = run(engine, Kind.CASES, CASES_CSV)
    assert (again.problems, again.unchanged) == ((), 2)


def test_a_row_with_more_cells_than_the_header_is_refused_naming_the_row(engine):
    header = BAD_CASES.split("\n", 1)[0]
    text = (
        header + "\nC-2026-0801,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
        "C-2026-0802,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha,high\n"
        "C-2026-0803,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha,,\n"  # empty
    )
    report = run(engine, Kind.CASES, text)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "column 10", "high")]
    assert report.problems[0].reason.startswith(
        "lies beyond the header's 9 columns: a row must not have more cells than the header"
    )
    with session_scope(engine) as session:
        assert Repository(session).cases() == []


def _workbook(header: list[str], row: list[object]) -> bytes:
    """A workbook as a script writes one: formulas without their values, NaN as is."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formula_without_its_value_nan_and_a_date_say_what_is_wrong(engine):
    """They were reported as "is required" (or taken for empty), and "must be a text"."""
    header = [*BAD_CASES.split("\n", 1)[0].split(","), "accompanying_children"]
    row: list[object] = ["C-2026-0901", "2026-10-01", datetime(1990, 5, 1)]
    row += ["female", "eu", "sexual", "utrecht", "utrecht", "=A1&B1", float("nan")]
    with session_scope(engine) as session:
        report = import_file(
            session, Kind.CASES, _workbook(header, row), filename="c.xlsx", by="a", dry_run=True
        )
    found = {p.column: (p.value, p.reason) for p in report.problems}
    assert found == {
        "age": ("1990-05-01", "must be a whole number, not a date"),
        "responsible_organisation": (
            "=A1&B1",
            "is a formula without a saved value (the file was not saved by a spreadsheet "
            "program): open the file in a spreadsheet program and save it, or type the value",
        ),
        "accompanying_children": (
            "NaN",
            "is NaN, not a number: give a number (or leave an optional cell empty)",
        ),
    }


def test_nan_typed_in_a_csv_says_not_a_number(engine):
    text = FACILITIES_CSV.replace(";145,50;", ";NaN;").replace(";4;", ";nan;")
    report = run(engine, Kind.FACILITIES, text)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (
            2,
            "cost_per_bed_day",
            "is NaN, not a number: give a number (or leave an optional cell empty)",
        ),
        (3, "beds", "is NaN, not a number: give a number (or leave an optional cell empty)"),
    ]
