"""Disclosure control: how counts of people are published, in one place (issues 10, 15).

Supply figures (facilities, beds, free and occupied beds) are not data about people and
are always published as they are. Counts of **cases** (people waiting, people without an
eligible facility, groups of a scenario's simulated people are not real and not covered)
are published by these rules:

1. **Small cells.** A count from 1 to 4 (:data:`SMALL_CELL` - 1) is suppressed: it could
   identify a person. Zero is published (it says that nobody is in the group).
2. **Complementary suppression.** A table whose cells add up to a published total (cases
   by complexity class, by region signalled) must not let a suppressed cell be worked out
   from the total and the other cells. Every suppressed cell is at least 1 (zeros are
   published), so with *k* suppressed cells summing to *S*, each lies between 1 and
   *S* - (*k* - 1). More cells are suppressed, smallest first, until *k* >= 2 and that
   range holds at least :data:`PROTECTION_RANGE` values for every cell (no cell can be
   narrowed further than "1 to 4" says). Several tables of the same cases are protected
   together (:func:`protect_tables`): when one cannot be, the total is hidden as well and
   no table is published in full (it would give the total away).
3. **Rounding against differencing.** Published counts of cases are rounded to a multiple
   of :data:`ROUNDING_BASE`, and mean and median waits to whole weeks, only for groups of
   at least :data:`MIN_CASES_FOR_MEAN`. Two snapshots around one withdrawal then differ by a step
   of 5 cases or not at all, and the mean moves by whole weeks at most (issue 10: the
   region, class and 80-day wait of a withdrawn case were recovered by differencing two
   snapshots of ``/v1/stats/waiting``; its longest wait, one person's, is no longer
   published). This lowers what differencing reveals; it cannot remove it for a group
   whose every other change is known to the attacker.
4. **Merging small rows.** Where the rows themselves describe people (the demand
   forecast's profile classes: complexity x gender x age x needs x beds), naming a row
   of 1 to 4 cases would say that such a person arrived, even with its count hidden.
   Such rows are merged into one row of "other classes" (:func:`pool_small_cells`)
   rather than suppressed, and the smallest row after them joins it while it is small,
   so that nothing is hidden from a published total and no complementary cell is needed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

SMALL_CELL = 5  # a count of cases from 1 to SMALL_CELL - 1 is suppressed
PROTECTION_RANGE = 4  # a suppressed cell must stay between at least this many values
ROUNDING_BASE = 5  # published counts of cases are multiples of this
MIN_CASES_FOR_MEAN = 10  # a mean wait is published only for groups at least this large
DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class PublishedCount:
    """A count of cases as it may be published.

    Parameters
    ----------
    value
        The count rounded to a multiple of :data:`ROUNDING_BASE`; ``None`` when suppressed.
    suppressed
        Whether it is hidden (a small cell, or hidden so a small cell cannot be derived).
    """

    value: int | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class ProtectedTable:
    """A table of counts of cases with its total, ready to publish.

    Parameters
    ----------
    total
        The published total.
    cells
        The published cells, in the order given.
    """

    total: PublishedCount
    cells: Mapping[str, PublishedCount]


def rounded(count: int) -> int:
    """``count`` to the nearest multiple of :data:`ROUNDING_BASE` (halves up)."""
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)


def publish(count: int, *, suppressed: bool = False) -> PublishedCount:
    """One count of cases on its own (no table around it): rules 1 and 3."""
    hidden = suppressed or 0 < count < SMALL_CELL
    return PublishedCount(None if hidden else rounded(count), hidden)


def _values(sizes: list[int]) -> int:
    """How many values each of these suppressed cells can still take, given their sum."""
    return sum(sizes) - len(sizes) + 1  # each is at least 1: from 1 to S - (k - 1)


def _safe(sizes: list[int]) -> bool:
    return not sizes or (len(sizes) >= 2 and _values(sizes) >= PROTECTION_RANGE)


def _hide(cells: Mapping[str, int]) -> tuple[set[str], bool]:
    """The cells to hide with the total known, and whether that is enough."""
    hidden = {k for k, n in cells.items() if 0 < n < SMALL_CELL}
    candidates = sorted((n, k) for k, n in cells.items() if n > 0 and k not in hidden)
    while not _safe([cells[k] for k in hidden]) and candidates:
        hidden.add(candidates.pop(0)[1])
    return hidden, _safe([cells[k] for k in hidden])


def protect_tables(
    total: int, tables: Mapping[str, Mapping[str, int]]
) -> tuple[PublishedCount, dict[str, dict[str, PublishedCount]]]:
    """Publish several tables of the same cases (by class, by region...) and their total.

    Each table is protected as if the total were known (it is, whenever some table is
    published in full). When a table cannot be, even with every non-zero cell hidden, the
    total is hidden too and every table keeps at least one hidden cell, so no table
    gives the total away.

    Parameters
    ----------
    total
        Cases in every table.
    tables
        Per table, cases per group; every case in exactly one group of each table.

    Returns
    -------
    tuple
        The published total and, per table, the published cells in the order given.

    Raises
    ------
    ValueError
        When a table does not add up to the total, or a count is negative.
    """
    for cells in tables.values():
        if sum(cells.values()) != total or any(n < 0 for n in cells.values()):
            raise ValueError("every table's cells must be counts that add up to the total")
    plans = {name: _hide(cells) for name, cells in tables.items()}
    total_hidden = 0 < total < SMALL_CELL or not all(ok for _, ok in plans.values())
    out: dict[str, dict[str, PublishedCount]] = {}
    for name, cells in tables.items():
        hidden = plans[name][0]
        if total_hidden and not hidden and total > 0:
            hidden = {min((n, k) for k, n in cells.items() if n > 0)[1]}
        out[name] = {k: publish(n, suppressed=k in hidden) for k, n in cells.items()}
    return publish(total, suppressed=total_hidden), out


def protect(total: int, cells: Mapping[str, int]) -> ProtectedTable:
    """Publish one table of cases whose cells add up to ``total``.

    See :func:`protect_tables`.
    """
    published_total, tables = protect_tables(total, {"table": cells})
    return ProtectedTable(published_total, tables["table"])


@dataclass(frozen=True, slots=True)
class PooledTable:
    """A table of rows that describe people, small rows merged (rule 4).

    Parameters
    ----------
    rows
        The rows published on their own, each of at least :data:`SMALL_CELL` cases,
        in the order given.
    pooled
        The rows merged into one row of "other" rows, in the order given; empty when no
        row is small.
    pooled_count
        Cases in the merged rows: 0 (no pool), :data:`SMALL_CELL` or more, or 1 to
        :data:`SMALL_CELL` - 1 only when every row is in the pool (the whole table is
        small, and its total must be suppressed).
    """

    rows: Mapping[str, int]
    pooled: tuple[str, ...]
    pooled_count: int


def pool_small_cells(cells: Mapping[str, int]) -> PooledTable:
    """Merge the small rows of a table whose rows describe people (rule 4).

    Every row of 1 to :data:`SMALL_CELL` - 1 cases goes into the pool; while the pool
    holds 1 to :data:`SMALL_CELL` - 1 cases, the smallest row left (by count, then by
    name) joins it. Rows of 0 cases are left out (nobody to describe).

    Parameters
    ----------
    cells
        Cases per row.

    Returns
    -------
    PooledTable

    Raises
    ------
    ValueError
        When a count is negative.
    """
    if any(n < 0 for n in cells.values()):
        raise ValueError("counts of cases cannot be negative")
    pooled = {k for k, n in cells.items() if 0 < n < SMALL_CELL}
    left = sorted((n, k) for k, n in cells.items() if n >= SMALL_CELL)
    while left and 0 < sum(cells[k] for k in pooled) < SMALL_CELL:
        pooled.add(left.pop(0)[1])
    return PooledTable(
        rows={k: n for k, n in cells.items() if n > 0 and k not in pooled},
        pooled=tuple(k for k in cells if k in pooled),
        pooled_count=sum(cells[k] for k in pooled),
    )


def mean_wait_days(days: list[int], *, published: PublishedCount) -> int | None:
    """The mean wait of a group to publish, in whole weeks (given in days).

    Only for groups of at least :data:`MIN_CASES_FOR_MEAN` whose count is published;
    ``None`` otherwise.
    """
    if published.suppressed or len(days) < MIN_CASES_FOR_MEAN:
        return None
    weeks = round(sum(days) / len(days) / DAYS_PER_WEEK)
    return weeks * DAYS_PER_WEEK


def median_wait_days(days: list[int], *, published: PublishedCount) -> int | None:
    """The median wait of a group to publish, in whole weeks (given in days).

    The same rule as :func:`mean_wait_days`: only for groups of at least
    :data:`MIN_CASES_FOR_MEAN` whose count is published; ``None`` otherwise.
    """
    if published.suppressed or len(days) < MIN_CASES_FOR_MEAN:
        return None
    weeks = round(statistics.median(days) / DAYS_PER_WEEK)
    return weeks * DAYS_PER_WEEK
