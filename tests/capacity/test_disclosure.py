"""Disclosure control of counts of cases (issues 10, 15): no suppressed cell can be worked
out from what is published, checked by solving for it.

The attacker of these tests knows more than anyone outside: the exact (unrounded) value
of every published cell, that suppressed cells are at least 1 (zeros are published), and
that each table adds up to the total. For every suppressed cell they solve for its least
and greatest possible value (an integer programme, scipy's HiGHS): the range must hold at
least ``PROTECTION_RANGE`` values.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from capacity.disclosure import (
    MIN_CASES_FOR_MEAN,
    PROTECTION_RANGE,
    ROUNDING_BASE,
    SMALL_CELL,
    mean_wait_days,
    median_wait_days,
    pool_small_cells,
    protect,
    protect_tables,
    publish,
    rounded,
)

UNBOUNDED = 10**6


def attack(total: int, tables: dict[str, dict[str, int]]) -> dict[tuple[str, str], tuple[int, int]]:
    """Least and greatest value of every suppressed cell, from the published figures."""
    shown_total, published = protect_tables(total, tables)
    unknowns = [(t, k) for t, cells in published.items() for k, c in cells.items() if c.suppressed]
    n = len(unknowns) + 1  # the last variable is the total
    rows, lower, upper = [], [], []
    for t, cells in published.items():
        row = np.zeros(n)
        row[-1] = -1.0
        known = 0
        for k, cell in cells.items():
            if cell.suppressed:
                row[unknowns.index((t, k))] = 1.0
            else:
                known += tables[t][k]  # the attacker knows the exact value
        rows.append(row)
        lower.append(-known)
        upper.append(-known)
    low = np.ones(n)
    high = np.full(n, UNBOUNDED, dtype=float)
    if not shown_total.suppressed:
        low[-1] = high[-1] = total
    constraint = LinearConstraint(np.array(rows), lower, upper)
    found = {}
    for i, cell in enumerate(unknowns):
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[i] = sign
            res = milp(c, constraints=constraint, integrality=np.ones(n), bounds=Bounds(low, high))
            assert res.success, res.message
            ends.append(round(sign * res.fun))
        found[cell] = (ends[0], ends[1])
    return found


def assert_protected(total: int, tables: dict[str, dict[str, int]]) -> None:
    for cell, (least, most) in attack(total, tables).items():
        assert most - least + 1 >= PROTECTION_RANGE, (cell, least, most, tables)
        true = tables[cell[0]][cell[1]]
        assert least <= true <= most


def test_a_lone_small_cell_beside_a_total_gets_a_companion():
    # the red team summed the shown regions and took them from the total
    table = protect(40, {"utrecht": 3, "amsterdam": 12, "rotterdam": 25})
    assert table.cells["utrecht"].suppressed
    assert table.cells["amsterdam"].suppressed  # the complementary cell
    assert not table.cells["rotterdam"].suppressed
    assert table.total == publish(40)
    assert_protected(40, {"by_region": {"utrecht": 3, "amsterdam": 12, "rotterdam": 25}})


def test_two_small_cells_that_pin_each_other_get_a_third():
    # 1 + 1 = 2 would leave each cell exactly 1
    cells = {"a": 1, "b": 1, "c": 20, "d": 30}
    table = protect(52, cells)
    assert [k for k, c in table.cells.items() if c.suppressed] == ["a", "b", "c"]
    assert_protected(52, {"t": cells})


def test_zeros_are_published_and_big_cells_only_rounded():
    table = protect(27, {"a": 0, "b": 12, "c": 15})
    assert table.cells["a"].value == 0
    assert (table.cells["b"].value, table.cells["c"].value) == (10, 15)
    assert table.total.value == 25


def test_a_small_total_hides_everything():
    total, tables = protect_tables(3, {"class": {"x": 3}, "region": {"a": 1, "b": 2, "c": 0}})
    assert total.suppressed
    assert tables["class"]["x"].suppressed
    assert [c.suppressed for c in tables["region"].values()] == [True, True, False]


def test_when_one_table_cannot_be_protected_no_table_gives_the_total_away():
    tables = {"class": {"x": 5, "y": 0}, "region": {"a": 1, "b": 2, "c": 2}}
    total, published = protect_tables(5, tables)
    assert total.suppressed
    assert any(c.suppressed for c in published["class"].values())
    assert_protected(5, tables)


def test_cells_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up"):
        protect(10, {"a": 3, "b": 4})


@st.composite
def populations(draw: st.DrawFn) -> tuple[int, dict[str, dict[str, int]]]:
    """Cases with a class and a region (small groups are common): two tables, one total."""
    classes = draw(st.integers(1, 4))
    regions = draw(st.integers(2, 8))
    weights = draw(st.lists(st.integers(0, 6), min_size=regions, max_size=regions))
    n = draw(st.integers(0, 60))
    cases = [
        (draw(st.integers(0, classes - 1)), draw(st.sampled_from(range(regions)))) for _ in range(n)
    ]
    if any(weights):  # skew the regions: many small cells
        cases = [(c, r) for c, r in cases if weights[r] > 0] or cases
    by_class = Counter(f"class{c}" for c, _ in cases)
    by_region = Counter(f"region{r}" for _, r in cases)
    tables = {
        "class": {f"class{c}": by_class[f"class{c}"] for c in range(classes)},
        "region": {f"region{r}": by_region[f"region{r}"] for r in range(regions)},
    }
    return len(cases), tables


@settings(max_examples=150, deadline=None)
@given(populations())
def test_no_suppressed_cell_can_be_derived_from_what_is_published(population):
    total, tables = population
    assert_protected(total, tables)


@settings(max_examples=150, deadline=None)
@given(populations())
def test_every_published_count_is_rounded_and_no_small_count_is_shown(population):
    total, tables = population
    shown_total, published = protect_tables(total, tables)
    for name, cells in published.items():
        for key, cell in cells.items():
            true = tables[name][key]
            if cell.suppressed:
                assert cell.value is None
            else:
                assert true == 0 or true >= 5
                assert cell.value == rounded(true)
                assert cell.value % ROUNDING_BASE == 0
                assert abs(cell.value - true) <= ROUNDING_BASE // 2
    assert shown_total.suppressed or shown_total.value == rounded(total)


def test_one_withdrawal_moves_a_count_by_a_whole_step_or_not_at_all():
    for n in range(5, 200):
        before, after = publish(n), publish(n - 1)
        if not after.suppressed:
            assert before.value - after.value in (0, ROUNDING_BASE)


def test_a_mean_wait_is_in_whole_weeks_and_only_for_groups_of_ten():
    days = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert mean_wait_days(days, published=publish(10)) == 56  # 55 days: 8 weeks
    assert mean_wait_days(days[: MIN_CASES_FOR_MEAN - 1], published=publish(9)) is None
    assert mean_wait_days(days, published=publish(10, suppressed=True)) is None


def test_a_median_wait_follows_the_means_rule():
    # one long wait pulls the mean (20 weeks) but not the median (about 2 weeks)
    days = [7, 10, 12, 13, 14, 15, 16, 18, 20, 1275]
    assert median_wait_days(days, published=publish(10)) == 14  # 14.5 days: 2 weeks
    assert mean_wait_days(days, published=publish(10)) == 20 * 7
    assert median_wait_days(days[: MIN_CASES_FOR_MEAN - 1], published=publish(9)) is None
    assert median_wait_days(days, published=publish(10, suppressed=True)) is None


def test_small_rows_are_merged_and_the_smallest_joins_a_small_pool():
    pooled = pool_small_cells({"a": 12, "b": 3, "c": 6, "d": 0, "e": 1})
    # 3 + 1 is still small: the smallest row left (c, 6) joins; zero rows are left out
    assert dict(pooled.rows) == {"a": 12}
    assert (pooled.pooled, pooled.pooled_count) == (("b", "c", "e"), 10)


def test_a_table_of_1_to_4_cases_is_one_small_pool():
    pooled = pool_small_cells({"a": 1, "b": 2})
    assert (dict(pooled.rows), pooled.pooled, pooled.pooled_count) == ({}, ("a", "b"), 3)
    assert pool_small_cells({"a": 5, "b": 0}).pooled == ()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 30)))
def test_every_published_row_and_the_pool_hold_5_or_more(cells):
    pooled = pool_small_cells(cells)
    assert all(n >= SMALL_CELL for n in pooled.rows.values())
    assert pooled.pooled_count == 0 or pooled.pooled_count >= SMALL_CELL or not pooled.rows
    assert sum(pooled.rows.values()) + pooled.pooled_count == sum(cells.values())
    assert set(pooled.rows).isdisjoint(pooled.pooled)
