"""The national waiting list: cases registered in the last four months and not yet placed.

The mix of profile classes follows the cases needing residential placement per year of
``../shared/domain-nl.md`` table C (about 300 a year); the list holds
:data:`WAITING_LIST_SIZE` cases. Complex cases have waited longer (estimate: "finding a
place is intensive and lengthy", CoMensha about 2018). EU labour victims often come in
groups found in one raid (sourced qualitatively).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from capacity.demo.draw import draw_profile
from capacity.demo.population import largest_remainder
from capacity.demo.profiles import CLASS_SPECS, Profile, ProfileClass

WAITING_LIST_SIZE = 220  # cases waiting at the moment of the dataset (estimate)
MAX_WAIT_DAYS = 120  # days: intake dates spread over the last four months
STANDARD_WAIT_SHAPE = (1.0, 2.2)  # beta parameters of the wait share, standard cases
COMPLEX_WAIT_SHAPE = (1.6, 1.2)  # beta parameters of the wait share, complex cases
GROUP_SHARE = 0.5  # share of EU labour draws that start a group (estimate)
GROUP_SIZES = (3, 6)  # people per group found in one labour raid, inclusive (estimate)


@dataclass(frozen=True, slots=True)
class WaitingDraft:
    """A waiting case before it gets its id.

    Parameters
    ----------
    profile
        The intake profile.
    intake_date
        Day of registration.
    """

    profile: Profile
    intake_date: date


def class_counts(size: int = WAITING_LIST_SIZE) -> dict[ProfileClass, int]:
    """Waiting cases per profile class, in proportion to table C's residential demand."""
    weights = np.array([CLASS_SPECS[c].residential_per_year for c in ProfileClass], dtype=float)
    return dict(zip(ProfileClass, largest_remainder(size, weights), strict=True))


def draw_waiting_list(rng: np.random.Generator, day0: date) -> list[WaitingDraft]:
    """Draw the waiting list.

    Parameters
    ----------
    rng
        The seeded generator.
    day0
        The dataset's date; intake dates lie up to :data:`MAX_WAIT_DAYS` before it.

    Returns
    -------
    list of WaitingDraft
        Grouped by profile class, in the order of :class:`ProfileClass`.
    """
    drafts: list[WaitingDraft] = []
    for cls, count in class_counts().items():
        if cls is ProfileClass.EU_LABOUR:
            drafts += _draw_groups(rng, count, day0)
            continue
        for _ in range(count):
            profile = draw_profile(rng, cls)
            drafts.append(WaitingDraft(profile, day0 - timedelta(days=_wait_days(rng, profile))))
    return drafts


def _wait_days(rng: np.random.Generator, profile: Profile) -> int:
    shape = COMPLEX_WAIT_SHAPE if profile.is_complex else STANDARD_WAIT_SHAPE
    return min(MAX_WAIT_DAYS, int(rng.beta(*shape) * (MAX_WAIT_DAYS + 1)))


def _draw_groups(rng: np.random.Generator, count: int, day0: date) -> list[WaitingDraft]:
    """EU labour victims: singles and groups who share intake day, regions and language."""
    drafts: list[WaitingDraft] = []
    while len(drafts) < count:
        first = draw_profile(rng, ProfileClass.EU_LABOUR)
        intake = day0 - timedelta(days=_wait_days(rng, first))
        size = 1
        if rng.random() < GROUP_SHARE:
            size = int(rng.integers(GROUP_SIZES[0], GROUP_SIZES[1] + 1))
        drafts.append(WaitingDraft(first, intake))
        for _ in range(min(size - 1, count - len(drafts))):
            other = draw_profile(rng, ProfileClass.EU_LABOUR)
            mate = replace(
                other,
                region_signalled=first.region_signalled,
                region_of_exploitation=first.region_of_exploitation,
                language=first.language,
                preferred=(),
            )
            drafts.append(WaitingDraft(mate, intake))
    return drafts
