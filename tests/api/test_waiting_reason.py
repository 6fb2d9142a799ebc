"""Why a case waits (issue 14): ``waiting_reason`` on a case and on the waiting list.

The small world: ``ws-amsterdam`` has 2 free beds for the whole horizon; four adult women
wait; a run gives the beds to the two who waited longest, so the other two are told the
beds went to them, and a man (no facility admits men) is a capacity gap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity.clock import local_date
from flows import WaitKind, binding, reason_of
from flows.waiting_reason import BINDING_ORDER
from flows.waiting_words import change_text, label, sentence
from store import BindRecord, ExtraBedRecord, ProposalDraft, WaitRecord

MAN = {
    "age": 40,
    "gender": "male",
    "residence_status": "nl",
    "exploitation_type": "labour",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def test_each_case_without_a_proposal_carries_the_runs_binding_reason(coord):
    man = coord.post("/v1/cases", json=MAN).json()
    assert man["waiting_reason"]["kind"] == "awaiting_run"  # registered after the run
    run = coord.post("/v1/matching-runs", json={"time_limit": 5, "seed": 1}).json()
    proposed = {p["case_id"] for p in run["proposals"]}
    waiting = [w for w in run["waits"] if w["case_id"] not in proposed]
    assert len(waiting) == run["cases"] - len(proposed) == 3  # every other case has a reason
    for wait in waiting:
        kind, _ = binding(WaitRecord.from_json(wait))
        case = coord.get(f"/v1/cases/{wait['case_id']}").json()
        assert case["waiting_reason"]["kind"] == kind.value
        assert case["waiting_reason"]["run_id"] == run["id"]
    gap = coord.get(f"/v1/cases/{man['id']}").json()["waiting_reason"]
    assert gap["kind"] == "capacity_gap"
    assert gap["label"] == "capacity gap: no eligible facility"
    assert gap["next_best"]["facility_id"] in ("ws-amsterdam", "cosm-leeuwarden")
    assert any("admits women" in f for f in gap["next_best"]["fails"])
    (rules,) = [c for c in gap["changes"] if c["kind"] == "rules"]
    assert rules["rules"]["gender"] == 2
    kept = coord.get("/v1/cases/C-2026-0001").json()["waiting_reason"]
    assert kept["kind"] == "kept_for_higher_priority"
    assert set(kept["cases"]) == proposed  # the two who waited longest took the beds
    assert kept["next_best"]["facility_id"] == "ws-amsterdam"
    assert kept["higher_priority"] is True
    assert "kept it for" in kept["text"]
    assert kept["text"].endswith("of higher priority.")
    listed = coord.get("/v1/cases", params={"status": "waiting"}).json()["data"]
    by_id = {line["id"]: line for line in listed}
    assert by_id["C-2026-0001"]["waiting_reason"] == kept
    for case_id in proposed:
        assert by_id[case_id]["waiting_reason"] is None  # it has its proposal


def budget_wait(case_id: str, today) -> WaitRecord:
    """Full until day 55, and then the budget of vws-omm cannot pay (the issue's case)."""
    day = today + timedelta(days=55)
    return WaitRecord(
        case_id=case_id,
        start_date=None,
        text="All 3 eligible facilities are full until day 55. The budget of vws-omm ...",
        binds=(
            BindRecord("full_until", "full", date=day, facility_id="ws-amsterdam"),
            BindRecord(
                "budget",
                "budget",
                date=day,
                stream="vws-omm",
                facility_id="ws-amsterdam",
                amount=62_915.0,
            ),
        ),
        extra_bed=ExtraBedRecord("ws-amsterdam", today, 12.5),
    )


def test_a_budget_bound_case_names_the_stream_the_next_best_facility_and_the_change(
    world, helpers, coord
):
    now = datetime.now(UTC)
    today = local_date(now)
    helpers.add_run(
        world.url,
        [],
        as_of=now,
        waits=(budget_wait("C-2026-0003", today),),
        case_ids=["C-2026-0003"],
    )
    case = coord.get("/v1/cases/C-2026-0003").json()
    assert case["expected_start"] is None
    assert case["expected_start_basis"] == "budget"  # not "beyond the horizon" (issue 14)
    reason = case["waiting_reason"]
    assert (reason["kind"], reason["stream"]) == ("budget", "vws-omm")
    assert reason["label"] == "budget of vws-omm exhausted"
    assert reason["next_best"]["facility_id"] == "ws-amsterdam"
    assert reason["next_best"]["start_date"] == (today + timedelta(days=55)).isoformat()
    changes = {c["kind"]: c for c in reason["changes"]}
    assert changes["budget"]["amount"] == 62_915.0
    assert changes["budget"]["text"] == "EUR 62,915 more in vws-omm would pay for the placement."
    bed = changes["extra_bed"]
    assert (bed["placement_type"], bed["region_id"]) == ("womens_shelter", "amsterdam")
    assert bed["text"].startswith("One more bed of type Women's shelter in Amsterdam")
    # a case the latest run did not consider awaits the next round
    other = coord.get("/v1/cases/C-2026-0004").json()["waiting_reason"]
    assert other["kind"] == "awaiting_run"


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["full_horizon"], WaitKind.BEYOND_HORIZON),
        (["full_until"], WaitKind.FULL_UNTIL),
        (["full_until", "budget"], WaitKind.BUDGET),
        (["full_horizon", "outranked"], WaitKind.KEPT_FOR_HIGHER_PRIORITY),
        (["full_until", "outranked", "budget"], WaitKind.BUDGET),
        (["declined"], WaitKind.ALL_DECLINED),
        (["full_until", "penalty"], WaitKind.FULL_UNTIL),
        (["improvable"], WaitKind.SOLVE_STOPPED),
    ],
)
def test_the_binding_reason_is_the_first_binding_in_the_order(kinds, expected):
    wait = WaitRecord("C-1", None, "", binds=tuple(BindRecord(k, k) for k in kinds))
    assert binding(wait)[0] is expected


def test_a_proposal_that_starts_later_says_why_not_earlier(world, helpers, coord):
    now = datetime.now(UTC)
    today = local_date(now)
    later = today + timedelta(days=5)
    draft = ProposalDraft("C-2026-0003", helpers.OWN_FACILITY, 1, later, "Meets: all criteria.")
    full = BindRecord("full_until", "full", date=later, facility_id=helpers.OWN_FACILITY)
    wait = WaitRecord("C-2026-0003", later, "Full until then.", binds=(full,))
    helpers.add_run(world.url, [draft], as_of=now, waits=(wait,))
    case = coord.get("/v1/cases/C-2026-0003").json()
    assert (case["status"], case["expected_start"]) == ("proposed", later.isoformat())
    assert case["expected_start_basis"] == "proposal"
    assert case["waiting_reason"]["kind"] == "full_until"
    assert case["waiting_reason"]["date"] == later.isoformat()
    on_time = coord.get("/v1/cases/C-2026-0001").json()  # proposed from today: nothing kept it
    assert on_time["waiting_reason"] is None


BIND_KINDS = ["capacity_gap", "declined", "full_until", "full_horizon", "budget", "outranked"]
BIND_KINDS += ["penalty", "improvable"]


@st.composite
def wait_records(draw):
    """Any wait record a run could store (facilities known or not)."""
    day = st.one_of(st.none(), st.dates())
    binds = draw(
        st.lists(
            st.builds(
                BindRecord,
                kind=st.sampled_from(BIND_KINDS),
                text=st.just("..."),
                date=day,
                stream=st.one_of(st.none(), st.just("vws-omm")),
                facility_id=st.one_of(st.none(), st.sampled_from(["ws-amsterdam", "gone"])),
                amount=st.one_of(st.none(), st.floats(0, 1e6)),
                cases=st.lists(st.just("C-2026-0001"), max_size=2).map(tuple),
                higher_priority=st.booleans(),
            ),
            max_size=4,
        )
    )
    gap = draw(st.booleans())
    return WaitRecord(
        "C-1",
        draw(day),
        "run text",
        capacity_gap=gap,
        binds=tuple(binds),
        extra_bed=draw(
            st.one_of(
                st.none(), st.builds(ExtraBedRecord, st.just("gone"), st.dates(), st.floats(0, 9))
            )
        ),
        failing_rules=(("gender", 3),) if gap else (),
        closest=(("ws-amsterdam", ("admits women only",)),) if gap and draw(st.booleans()) else (),
    )


@settings(max_examples=300, deadline=None)
@given(wait_records())
def test_every_wait_record_gets_one_reason_in_words_that_never_say_none(wait):
    reason = reason_of(wait, run_id=7, facilities={})
    kinds = [b.kind for b in wait.binds]
    expected = next((k for b, k in BINDING_ORDER if b in kinds), WaitKind.BEYOND_HORIZON)
    assert reason.kind is (WaitKind.CAPACITY_GAP if wait.capacity_gap else expected)
    for text in (label(reason), sentence(reason), *(change_text(c) for c in reason.changes)):
        assert text
        assert "None" not in text
