"""A run's wait records survive the JSON the run's row keeps, with their kinds typed."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from matching import BindKind
from store import BindRecord, ExtraBedRecord, WaitRecord

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
binds = st.builds(
    BindRecord,
    kind=st.sampled_from(BindKind),
    text=st.text(max_size=40),
    date=st.none() | days,
    stream=st.none() | st.sampled_from(["vws-omm", "gemeente-utrecht"]),
    facility_id=st.none() | st.just("shelter-a"),
)
records = st.builds(
    WaitRecord,
    case_id=st.just("C-2026-0001"),
    start_date=st.none() | days,
    text=st.text(max_size=40),
    capacity_gap=st.booleans(),
    binds=st.lists(binds, max_size=3).map(tuple),
    extra_bed=st.none()
    | st.builds(
        ExtraBedRecord, facility_id=st.just("shelter-a"), start_date=days, gain=st.floats(0, 1e4)
    ),
    failing_rules=st.lists(
        st.tuples(st.sampled_from(["gender", "age"]), st.integers(0, 50)), max_size=2
    ).map(tuple),
)


@given(records)
def test_round_trip_keeps_every_field_and_types_the_kind(record: WaitRecord) -> None:
    back = WaitRecord.from_json(record.to_json())
    assert back == record
    assert all(type(b.kind) is BindKind for b in back.binds)
