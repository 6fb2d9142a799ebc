"""flows.trends: the waiting list, waits per class and occupancy per period, from a small
hand-made history whose figures are worked out by hand below (issue 15)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flows
from capacity import (
    AvailabilityReport,
    CaseStatus,
    Dataset,
    Facility,
    FundingStream,
    Placement,
    PlacementType,
    Provider,
    bundled_rulebook,
)
from capacity.aggregates import occupancy_by
from capacity.snapshot import build_snapshot
from flows import InvalidInputError, TrendPeriod, trend_window
from flows.history import SupplyHistory, case_spells
from flows.trends import MAX_WINDOW_DAYS, TrendWindow, compute_trends, waiting_at
from store import Repository, ensure_database, left_waiting_list_at, session_scope
from store.models import AuditRow, CaseRow
from tests.seed_world import woman

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
CLASSES = ("standard", "complex", "highly_complex")


def home(fid: str, ptype: PlacementType, beds: int) -> Facility:
    return Facility(fid, fid, "p", "amsterdam", ptype, beds, "s", 100.0)


FACILITIES = (
    home("F-OMM", PlacementType.OMM, 10),
    home("F-SHELTER", PlacementType.WOMENS_SHELTER, 4),
    home("F-CRISIS", PlacementType.CRISIS, 2),  # a bridge: a case in it waits on
)


def stay(pid: str, case_id: str, fid: str, start: date, end: date | None = None) -> Placement:
    return Placement(pid, case_id, fid, 1, start, date(2027, 6, 1), actual_end=end)


# ok_history: five cases over two and a half weeks (Monday 2 to Wednesday 18 November).
CASES = (
    woman("C-A", date(2026, 10, 20), CaseStatus.PLACED),  # placed 4 Nov after 15 days
    woman("C-B", date(2026, 11, 3), CaseStatus.WITHDRAWN),  # withdrawn 10 Nov
    woman("C-C", date(2026, 11, 5)),  # in a crisis bed from 6 Nov: still waiting
    woman("C-D", date(2026, 11, 10), CaseStatus.DISCHARGED),  # placed 12 Nov, left 17 Nov
    woman("C-E", date(2026, 11, 16)),
)
CLASS_OF = {"C-A": "standard", "C-B": "complex", "C-C": "complex", "C-D": "standard"}
PLACEMENTS = (
    stay("P-A", "C-A", "F-OMM", date(2026, 11, 4)),
    stay("P-C", "C-C", "F-CRISIS", date(2026, 11, 6)),
    stay("P-D", "C-D", "F-SHELTER", date(2026, 11, 12), end=date(2026, 11, 17)),
)
LEFT_AT = {
    "C-A": NOW,  # placed: its placement's start counts, not when the status was set
    "C-B": datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
    "C-D": NOW,
}
# The OMM's provider reports 5 of 10 beds free on 9 November (people the system does not
# know of are there too): from then on its occupancy is the report's, not the placements'.
REPORTS = (AvailabilityReport("F-OMM", 5, datetime(2026, 11, 9, 10, 0, tzinfo=UTC), "r"),)


def ok_trends(period: TrendPeriod = TrendPeriod.WEEK):
    window = TrendWindow(date(2026, 11, 2), date(2026, 11, 18), period)
    spells = case_spells(CASES, PLACEMENTS, FACILITIES, LEFT_AT)
    supply = SupplyHistory(FACILITIES, REPORTS, PLACEMENTS)
    return compute_trends(
        spells,
        supply,
        window=window,
        classes=CLASSES,
        class_of=lambda c: CLASS_OF.get(c.id, "highly_complex"),
        now=NOW,
    )


def test_weeks_run_monday_to_sunday_and_the_last_ends_today():
    spans = [(p.start, p.end) for p in ok_trends().periods]
    assert spans == [
        (date(2026, 11, 2), date(2026, 11, 8)),
        (date(2026, 11, 9), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 18)),
    ]


def test_the_waiting_list_at_each_weeks_end_by_class():
    # 8 Nov: B (withdrawn only on the 10th) and C; A was placed on the 4th, D not yet in.
    # 15 Nov: C only (its crisis bed is a bridge). 18 Nov: C and E.
    waiting = [dict(p.waiting) for p in ok_trends().periods]
    assert waiting == [
        {"standard": 0, "complex": 2, "highly_complex": 0},
        {"standard": 0, "complex": 1, "highly_complex": 0},
        {"standard": 0, "complex": 1, "highly_complex": 1},
    ]


def test_waits_of_the_cases_placed_in_each_week():
    # A: 20 Oct to 4 Nov is 15 days; D: 10 to 12 Nov is 2 days; the bridge is no placement
    waits = [dict(p.waits) for p in ok_trends().periods]
    assert waits == [
        {"standard": (15,), "complex": (), "highly_complex": ()},
        {"standard": (2,), "complex": (), "highly_complex": ()},
        {"standard": (), "complex": (), "highly_complex": ()},
    ]


def test_occupancy_at_each_weeks_end_per_placement_type():
    # week 1: A in the OMM, C in the crisis bed. Week 2: the OMM's report (5 free) counts,
    # D is in the shelter. Week 3 (now): D discharged on the 17th.
    occupied = [{r.key: (r.occupied, r.beds) for r in p.occupancy} for p in ok_trends().periods]
    assert occupied == [
        {"crisis": (1, 2), "omm": (1, 10), "womens_shelter": (0, 4)},
        {"crisis": (1, 2), "omm": (5, 10), "womens_shelter": (1, 4)},
        {"crisis": (1, 2), "omm": (5, 10), "womens_shelter": (0, 4)},
    ]


def test_a_month_holds_every_week_of_it():
    (november,) = ok_trends(TrendPeriod.MONTH).periods
    assert (november.start, november.end) == (date(2026, 11, 1), date(2026, 11, 18))
    assert dict(november.waits)["standard"] == (15, 2)
    assert dict(november.waiting) == {"standard": 0, "complex": 1, "highly_complex": 1}


def test_months_cross_the_new_year():
    window = TrendWindow(date(2025, 11, 20), date(2026, 2, 3), TrendPeriod.MONTH)
    assert [p[0] for p in window.periods()] == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert window.periods()[1][1] == date(2025, 12, 31)


TODAY = date(2026, 11, 18)


def test_the_default_window_is_the_last_26_weeks():
    window = trend_window(since=None, until=None, period=TrendPeriod.WEEK, today=TODAY)
    assert window.until == TODAY
    assert len(window.periods()) == 26
    assert window.since == date(2026, 5, 25)  # a Monday: 26 whole weeks, this one running


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        (None, TODAY + timedelta(days=1), "until"),
        (date(2026, 11, 10), date(2026, 11, 9), "since"),
        (TODAY - timedelta(days=MAX_WINDOW_DAYS), None, "since"),
        (None, date(1, 1, 1), "until"),  # the default since was 25 weeks before year 1
        (date(1999, 12, 31), date(2000, 1, 5), "since"),
    ],
)
def test_a_window_that_cannot_be_names_its_field(since, until, field):
    with pytest.raises(InvalidInputError) as caught:
        trend_window(since=since, until=until, period=TrendPeriod.WEEK, today=TODAY)
    assert caught.value.field == field


def test_three_years_is_the_longest_window():
    since = TODAY - timedelta(days=MAX_WINDOW_DAYS - 1)
    window = trend_window(since=since, until=None, period=TrendPeriod.WEEK, today=TODAY)
    assert len(window.periods()) in (157, 158)


ORIGIN = date(2026, 1, 5)  # a Monday


@st.composite
def histories(draw):
    """Cases with an intake day and maybe an end: placed (in a residential bed, maybe after
    a bridge bed) or withdrawn; with what the brute-force count below needs."""
    cases, placements, left_at, ends = [], [], {}, {}
    for i in range(draw(st.integers(0, 25))):
        cid = f"C-{i:03d}"
        intake = ORIGIN + timedelta(days=draw(st.integers(0, 60)))
        kind = draw(st.sampled_from(["waiting", "placed", "withdrawn"]))
        end = intake + timedelta(days=draw(st.integers(0, 40)))
        if draw(st.booleans()):  # a bridge bed first: no end of the wait
            placements.append(stay(f"B-{i}", cid, "F-CRISIS", intake))
        if kind == "placed":
            placements.append(stay(f"P-{i}", cid, "F-OMM", end))
            left_at[cid] = datetime(2027, 1, 1, tzinfo=UTC)  # when the status was set
        elif kind == "withdrawn":
            left_at[cid] = datetime(end.year, end.month, end.day, 12, tzinfo=UTC)
        status = {"waiting": CaseStatus.WAITING, "placed": CaseStatus.PLACED}.get(
            kind, CaseStatus.WITHDRAWN
        )
        cases.append(woman(cid, intake, status))
        ends[cid] = None if kind == "waiting" else end
    return cases, placements, left_at, ends


@settings(max_examples=60, deadline=None)
@given(histories(), st.sampled_from(list(TrendPeriod)))
def test_the_waiting_list_is_the_cases_registered_and_not_yet_gone(history, period):
    cases, placements, left_at, ends = history
    window = TrendWindow(ORIGIN, ORIGIN + timedelta(days=100), period)
    spells = case_spells(cases, placements, FACILITIES, left_at)
    found = compute_trends(
        spells,
        SupplyHistory(FACILITIES, (), placements),
        window=window,
        classes=CLASSES,
        class_of=lambda c: CLASSES[int(c.id[-1]) % 3],
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    for p in found.periods:
        expected = sum(
            1
            for c in cases
            if c.intake_date <= p.end and (ends[c.id] is None or ends[c.id] > p.end)
        )
        assert sum(p.waiting.values()) == expected == len(waiting_at(spells, p.end))
        placed = sum(
            1
            for c in cases
            if c.status is CaseStatus.PLACED and p.start <= (ends[c.id] or ORIGIN) <= p.end
        )
        assert sum(len(w) for w in p.waits.values()) == placed


def _stored(tmp_path, *, audited: bool = True):
    """ok_history in an SQLite database, C-B withdrawn on 10 November (by the audit log,
    or, without its entry, by the moment its status last changed)."""
    engine = ensure_database(f"sqlite:///{tmp_path / 'trends.db'}")
    dataset = Dataset(
        as_of=NOW,
        providers=(Provider("p", "P"),),
        funding_streams=(
            FundingStream("s", "S", "JenV", frozenset(PlacementType), frozenset({"adult_nl_eu"})),
        ),
        facilities=FACILITIES,
        cases=CASES,
        placements=PLACEMENTS,
        reports=REPORTS,
    )
    withdrawn = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        Repository(session).save_dataset(dataset)
        row = session.get(CaseRow, "C-B")
        row.updated_at = NOW if audited else withdrawn
        if audited:  # the log is append-only: the entry is written as it would have been
            session.add(
                AuditRow(
                    at=withdrawn,
                    actor="coordinator",
                    action="case.withdraw",
                    record_type="case",
                    record_id="C-B",
                )
            )
    return engine


def test_the_stored_history_gives_the_hand_made_figures(tmp_path):
    engine = _stored(tmp_path)
    window = TrendWindow(date(2026, 11, 2), date(2026, 11, 18), TrendPeriod.WEEK)
    with session_scope(engine) as session:
        found = flows.read_trends(session, window=window, rulebook=bundled_rulebook(), now=NOW)
    assert [sum(p.waiting.values()) for p in found.periods] == [2, 1, 2]
    assert [sorted(d for w in p.waits.values() for d in w) for p in found.periods] == [
        [15],
        [2],
        [],
    ]
    assert found.classes == ("standard", "complex", "highly_complex")
    assert [sum(r.occupied for r in p.occupancy) for p in found.periods] == [2, 7, 6]


@pytest.mark.parametrize("audited", [True, False])
def test_a_withdrawal_counts_from_its_audit_entry_else_the_last_status_change(tmp_path, audited):
    engine = _stored(tmp_path, audited=audited)
    with session_scope(engine) as session:
        left = left_waiting_list_at(session)
    assert left["C-B"] == datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    assert not {"C-C", "C-E"} & set(left)  # on the list: they have not left


@st.composite
def supplies(draw):
    """Stays that began, ended (or not) on random days, and reports of random counts."""
    placements = []
    for i in range(draw(st.integers(0, 30))):
        start = ORIGIN + timedelta(days=draw(st.integers(0, 80)))
        length = draw(st.integers(1, 60))
        ended = draw(st.booleans())
        placements.append(
            Placement(
                f"P-{i}",
                f"C-{i}",
                draw(st.sampled_from([f.id for f in FACILITIES])),
                draw(st.integers(1, 2)),
                start,
                start + timedelta(days=length),
                actual_end=start + timedelta(days=length) if ended else None,
            )
        )
    reports = [
        AvailabilityReport(
            draw(st.sampled_from([f.id for f in FACILITIES])),
            draw(st.integers(0, 4)),
            datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 80))),
            "r",
        )
        for _ in range(draw(st.integers(0, 6)))
    ]
    return placements, reports


@settings(max_examples=60, deadline=None)
@given(supplies(), st.integers(0, 100))
def test_occupancy_is_the_snapshots_of_that_moment(supply, day):
    placements, reports = supply
    as_of = datetime(2026, 1, 5, 20, tzinfo=UTC) + timedelta(days=day)
    whole = build_snapshot(
        as_of=as_of,
        facilities=FACILITIES,
        funding_streams=(),
        reports=reports,
        placements=placements,
        horizon_days=1,
    )
    expected = occupancy_by(whole, lambda f: f.placement_type.value)
    assert SupplyHistory(FACILITIES, reports, placements).occupancy_at(as_of) == expected
