"""The demo dataset: deterministic, plausible, eligible, and as ``docs/demo-data.md`` says."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import (
    REGIONS,
    Case,
    CaseStatus,
    Dataset,
    Gender,
    InvalidSupplyError,
    Need,
    PlacementType,
    Rulebook,
    build_snapshot,
    bundled_rulebook,
)
from capacity.cases import CASE_ID_PATTERN
from capacity.demo import (
    DEMO_AS_OF,
    DEMO_SEED,
    DemoSummary,
    ProfileClass,
    build_demo_dataset,
    profile_class,
    summarise,
)
from capacity.demo.occupancy import OCCUPANCY_BANDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "demo-data.md"
OMM_NEEDS = {Need.LVB, Need.MENTAL_HEALTH, Need.ADDICTION}
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
FEW_SEEDED_BUILDS = settings(max_examples=8, deadline=None)  # each example builds a dataset


def doc_table(heading: str) -> list[dict[str, str]]:
    """Rows of the first table under ``## heading`` in docs/demo-data.md, keyed by header."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in lines[lines.index(f"## {heading}") + 1 :]:
        if line.startswith("## ") or (header and not line.startswith("|")):
            break
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [c.strip().replace("`", "") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        else:
            rows.append(dict(zip(header, cells, strict=True)))
    assert rows, f"no table under '## {heading}'"
    return rows


def number(text: str) -> int:
    return int(text.replace(",", ""))


def yes(text: str) -> bool:
    assert text in ("yes", "no")
    return text == "yes"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The documented demo: seed 2026 on 2026-11-30 09:00 Amsterdam time."""
    return build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)


@pytest.fixture(scope="module")
def summary(dataset: Dataset) -> DemoSummary:
    return summarise(dataset)


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return bundled_rulebook()


def waiting(ds: Dataset) -> list[Case]:
    return [c for c in ds.cases if c.status is CaseStatus.WAITING]


# Determinism


def test_same_seed_and_moment_give_an_identical_dataset(dataset: Dataset) -> None:
    assert build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF) == dataset


def test_another_seed_gives_another_waiting_list_on_the_same_supply(dataset: Dataset) -> None:
    other = build_demo_dataset(seed=DEMO_SEED + 1, as_of=DEMO_AS_OF)
    assert waiting(other) != waiting(dataset)
    assert other.placements != dataset.placements
    assert (other.providers, other.facilities, other.funding_streams) == (
        dataset.providers,
        dataset.facilities,
        dataset.funding_streams,
    )


def test_dates_follow_as_of_and_counts_do_not(dataset: Dataset, summary: DemoSummary) -> None:
    later = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF + timedelta(days=100))
    moved = summarise(later)
    assert moved.waiting_by_class == summary.waiting_by_class
    assert moved.occupied_by_type == summary.occupied_by_type
    shift = [
        (b.intake_date - a.intake_date).days
        for a, b in zip(dataset.cases, later.cases, strict=True)
    ]
    assert set(shift) == {100}


def test_as_of_without_timezone_is_refused() -> None:
    with pytest.raises(InvalidSupplyError, match="timezone"):
        build_demo_dataset(as_of=datetime(2026, 11, 30, 9, 0))


# Invariants, for any seed


@FEW_SEEDED_BUILDS
@given(seed=SEEDS)
def test_every_placement_is_eligible_under_the_national_rulebook(
    seed: int, rulebook: Rulebook
) -> None:
    ds = build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)
    facilities = {f.id: f for f in ds.facilities}
    streams = {s.id: s for s in ds.funding_streams}
    cases = {c.id: c for c in ds.cases}
    for p in ds.placements:
        fac = facilities[p.facility_id]
        verdict = rulebook.evaluate(cases[p.case_id], fac, streams[fac.funding_stream_id])
        assert verdict.eligible, f"{p.case_id} at {fac.id}: {verdict.summary()}"


@FEW_SEEDED_BUILDS
@given(seed=SEEDS)
def test_no_facility_holds_more_than_its_beds(seed: int) -> None:
    ds = build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)
    taken = Counter[str]()
    for p in ds.placements:
        taken[p.facility_id] += p.beds
    assert all(taken[f.id] <= f.beds for f in ds.facilities)


@FEW_SEEDED_BUILDS
@given(seed=SEEDS)
def test_each_placed_case_has_one_current_placement_and_waiting_cases_none(seed: int) -> None:
    ds = build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)
    day0 = DEMO_AS_OF.date()
    placed = Counter(p.case_id for p in ds.placements)
    assert all(n == 1 for n in placed.values())
    assert {c.id for c in ds.cases if c.status is CaseStatus.PLACED} == set(placed)
    for p in ds.placements:
        assert p.start <= day0 < p.expected_end
        assert p.beds == next(c for c in ds.cases if c.id == p.case_id).beds


@FEW_SEEDED_BUILDS
@given(seed=SEEDS)
def test_waiting_list_holds_150_to_300_recent_cases(seed: int) -> None:
    ds = build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)
    cases = waiting(ds)
    assert 150 <= len(cases) <= 300
    assert all(0 <= c.days_waited(DEMO_AS_OF.date()) <= 120 for c in cases)


@pytest.mark.parametrize("seed", range(5))
def test_a_few_capacity_gaps_exist_for_any_seed(seed: int) -> None:
    gaps = summarise(build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)).capacity_gaps
    assert 1 <= len(gaps) <= 15


@pytest.mark.parametrize("day", ["2026-01-15", "2026-07-01", "2026-11-30", "2026-12-31"])
@pytest.mark.parametrize("seed", range(4))
def test_remaining_budgets_stay_positive_through_the_year(day: str, seed: int) -> None:
    as_of = datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    ds = build_demo_dataset(seed=seed, as_of=as_of)
    snap = build_snapshot(
        as_of=as_of,
        facilities=ds.facilities,
        funding_streams=ds.funding_streams,
        reports=ds.reports,
        placements=ds.placements,
    )
    assert all(left > 0 for left in snap.budget_remaining.values())


# The documented demo


def test_cosm_and_omm_budgets_are_close_to_binding(dataset: Dataset) -> None:
    snap = build_snapshot(
        as_of=DEMO_AS_OF,
        facilities=dataset.facilities,
        funding_streams=dataset.funding_streams,
        reports=dataset.reports,
        placements=dataset.placements,
    )
    for stream in ("jenv-cosm", "vws-omm"):
        budget = snap.stream(stream).budget_per_period
        assert budget is not None
        assert 0 < snap.budget_remaining[stream] < 0.25 * budget


@pytest.mark.parametrize(
    "as_of",
    [DEMO_AS_OF, datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC"))],
    ids=["amsterdam-morning", "utc-late-evening-is-next-dutch-day"],
)
def test_reports_agree_with_placements(as_of: datetime) -> None:
    dataset = build_demo_dataset(seed=DEMO_SEED, as_of=as_of)
    snap = build_snapshot(
        as_of=as_of,
        facilities=dataset.facilities,
        funding_streams=dataset.funding_streams,
        reports=dataset.reports,
        placements=dataset.placements,
    )
    taken = Counter[str]()
    for p in dataset.placements:
        assert p.start <= snap.day0 < p.expected_end  # the Dutch day, not the UTC one
        taken[p.facility_id] += p.beds
    for f in dataset.facilities:
        assert snap.free(f.id)[0] == f.beds - taken[f.id]
        assert timedelta(hours=1) <= as_of - snap.last_reported[f.id] <= timedelta(days=2)


def test_occupancy_lies_within_the_stated_bands(summary: DemoSummary) -> None:
    documented = {
        r["placement type"]: r["occupancy band"]
        for r in doc_table("Facilities and beds per placement type")
    }
    for ptype, (lo, hi) in OCCUPANCY_BANDS.items():
        assert documented[ptype.value] == f"{lo:.0%}-{hi:.0%}"
        beds = summary.beds_by_type[ptype]
        share = summary.occupied_by_type[ptype] / beds
        # a band narrower than one bed (6 beds at 85-95%) allows the nearest whole bed
        assert lo - 1 / beds <= share <= hi + 1 / beds, ptype


def test_every_region_has_womens_shelter_beds(dataset: Dataset) -> None:
    beds = Counter[str]()
    for f in dataset.facilities:
        if f.placement_type is PlacementType.WOMENS_SHELTER:
            assert f.gender_policy.value == "female_only"
            assert f.max_children > 0
            beds[f.region_id] += f.beds
    assert {r.id for r in REGIONS} == {r for r, n in beds.items() if n >= 1}
    secret = sum(
        f.secret_address
        for f in dataset.facilities
        if f.placement_type is PlacementType.WOMENS_SHELTER
    )
    assert 14 <= secret <= 21  # about half


def test_funding_streams_pay_for_rulebook_categories(dataset: Dataset, rulebook: Rulebook) -> None:
    categories = set(rulebook.rules.case_categories)
    for s in dataset.funding_streams:
        assert s.case_categories <= categories, s.id
    facilities_types = {(f.funding_stream_id, f.placement_type) for f in dataset.facilities}
    streams = {s.id: s for s in dataset.funding_streams}
    assert all(t in streams[sid].placement_types for sid, t in facilities_types)


def test_waiting_list_follows_the_profile_mix(dataset: Dataset) -> None:
    cases = waiting(dataset)
    complex_share = sum(bool(c.needs & OMM_NEEDS) for c in cases) / len(cases)
    dutch = [c for c in cases if profile_class(c) is ProfileClass.DUTCH_WOMEN_DOMESTIC]
    high = sum(c.safety_risk.value == "high" for c in cases) / len(cases)
    women = [c for c in cases if c.gender is Gender.FEMALE and c.age >= 18]
    assert 0.20 <= complex_share <= 0.30
    assert 0.30 <= sum(bool(c.needs & OMM_NEEDS) for c in dutch) / len(dutch) <= 0.50
    assert 0.12 <= high <= 0.28
    assert 0.04 <= sum(c.accompanying_children > 0 for c in women) / len(women) <= 0.16
    assert all(
        c.unaccompanied == (profile_class(c) is ProfileClass.UNACCOMPANIED_MINOR) for c in cases
    )


def test_cases_are_pseudonymous_and_numbered(dataset: Dataset) -> None:
    for c in dataset.cases:
        assert CASE_ID_PATTERN.match(c.id)
        assert c.id.startswith(f"C-{c.intake_date.year}-")
        org = c.responsible_organisation
        assert org in ("CoMensha", "Nidos") or org.startswith("Zorgcoördinatie ")
    assert len({c.id for c in dataset.cases}) == len(dataset.cases)


# The tables of docs/demo-data.md


def test_totals_match_the_doc(summary: DemoSummary) -> None:
    totals = {r["quantity"]: number(r["value"]) for r in doc_table("Totals")}
    assert totals == {
        "providers": summary.providers,
        "funding streams": summary.funding_streams,
        "facilities": summary.facilities,
        "beds": summary.beds,
        "placed cases": summary.placed_cases,
        "waiting cases": summary.waiting_cases,
        "capacity gaps": len(summary.capacity_gaps),
    }


def test_facilities_and_beds_per_type_match_the_doc(summary: DemoSummary) -> None:
    rows = {r["placement type"]: r for r in doc_table("Facilities and beds per placement type")}
    assert set(rows) == {t.value for t in PlacementType}
    for t in PlacementType:
        row = rows[t.value]
        assert number(row["facilities"]) == summary.facilities_by_type[t], t
        assert number(row["beds"]) == summary.beds_by_type[t], t
        assert number(row["occupied"]) == summary.occupied_by_type[t], t


def test_waiting_cases_per_class_match_the_doc(summary: DemoSummary) -> None:
    rows = doc_table("Waiting cases per profile class")
    assert {r["profile class"]: number(r["waiting"]) for r in rows} == {
        c.value: n for c, n in summary.waiting_by_class.items()
    }
    complexity = doc_table("Waiting cases per complexity class")
    assert {r["complexity class"]: number(r["waiting"]) for r in complexity} == dict(
        summary.waiting_by_complexity
    )


def test_capacity_gaps_match_the_doc(summary: DemoSummary) -> None:
    assert tuple(r["case"] for r in doc_table("Capacity gaps")) == summary.capacity_gaps


def test_funding_streams_match_the_doc(dataset: Dataset) -> None:
    snap = build_snapshot(
        as_of=DEMO_AS_OF,
        facilities=dataset.facilities,
        funding_streams=dataset.funding_streams,
        reports=dataset.reports,
        placements=dataset.placements,
    )
    rows = {r["stream"]: r for r in doc_table("Funding streams")}
    wmo = [s for s in dataset.funding_streams if s.region_id is not None]
    assert len(wmo) == 35
    total = rows.pop("wmo-<region> (35 streams)")
    assert number(total["budget per year (EUR)"]) == sum(s.budget_per_period or 0 for s in wmo)
    left = sum(snap.budget_remaining[s.id] for s in wmo)
    assert number(total["remaining on 2026-11-30 (EUR)"]) == round(left)
    national = {s.id: s for s in dataset.funding_streams if s.region_id is None}
    assert set(rows) == set(national)
    for sid, row in rows.items():
        budget = national[sid].budget_per_period
        if budget is None:
            assert row["budget per year (EUR)"] == "uncapped"
            continue
        assert number(row["budget per year (EUR)"]) == budget, sid
        assert number(row["remaining on 2026-11-30 (EUR)"]) == round(snap.budget_remaining[sid])


def test_providers_match_the_doc(dataset: Dataset) -> None:
    facilities = Counter[str]()
    beds = Counter[str]()
    for f in dataset.facilities:
        facilities[f.provider_id] += 1
        beds[f.provider_id] += f.beds
    covered: set[str] = set()
    for row in doc_table("Providers"):
        key = row["provider"].split(" (")[0]
        if "<" in key:
            ids = {p.id for p in dataset.providers if p.id.startswith(key.split("<")[0])}
        else:
            ids = set(key.split(", "))
        covered |= ids
        assert sum(facilities[i] for i in ids) == number(row["facilities"]), key
        assert sum(beds[i] for i in ids) == number(row["beds"]), key
    assert covered == {p.id for p in dataset.providers}


def test_facility_tables_match_the_doc(dataset: Dataset) -> None:
    by_id = {f.id: f for f in dataset.facilities}
    specialised = doc_table("Specialised facilities")
    for row in specialised:
        f = by_id[row["facility"]]
        assert (f.provider_id, f.region_id, f.placement_type.value, f.beds) == (
            row["provider"],
            row["region"],
            row["type"],
            number(row["beds"]),
        )
        assert (f.secret_address, f.wheelchair_access) == (
            yes(row["secret address"]),
            yes(row["wheelchair"]),
        )
        assert sorted(n.value for n in f.specialisms) == [
            s for s in row["specialisms"].split(", ") if s != "-"
        ]
    shelters = doc_table("Women's shelter beds per region")
    for row in shelters:
        f = by_id[f"womens-shelter-{row['region']}"]
        assert f.beds == number(row["beds"])
        assert (f.secret_address, f.wheelchair_access) == (
            yes(row["secret address"]),
            yes(row["wheelchair"]),
        )
    assert len(specialised) + len(shelters) == len(dataset.facilities)


def test_doc_gap_rows_describe_waiting_cases(dataset: Dataset, summary: DemoSummary) -> None:
    cases = {c.id: c for c in dataset.cases}
    for row in doc_table("Capacity gaps"):
        case = cases[row["case"]]
        assert case.status is CaseStatus.WAITING
        assert row["profile"].startswith(f"{case.age}, {case.gender.value}")


def test_a_placed_case_moved_elsewhere_is_caught_by_the_eligibility_check(
    dataset: Dataset, rulebook: Rulebook
) -> None:
    """The eligibility test above can fail: a COSM case in a men's shelter is refused."""
    cosm = next(p for p in dataset.placements if p.facility_id == "cosm-amsterdam")
    case = next(c for c in dataset.cases if c.id == cosm.case_id)
    mens = next(f for f in dataset.facilities if f.id == "mens-shelter-amsterdam")
    stream = next(s for s in dataset.funding_streams if s.id == mens.funding_stream_id)
    assert not rulebook.evaluate(case, mens, stream).eligible
