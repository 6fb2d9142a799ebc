"""Funding streams of the demo: who pays for which case categories, with annual budgets.

Case categories are names from the national rulebook (``capacity/criteria/national-v1.yaml``).
Budgets are per calendar year. The OMM budget is sourced (EUR 2 million a year from VWS,
2019 onward); the COSM budget is an estimate anchored on sourced figures (EUR 1.6 million
in 2017, "more than doubled" in 2019-2020); the others are estimates: the cost of the
stream's beds at full occupancy for a year, rounded, with a margin for the regional ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from capacity.demo.costs import wmo_stream_id
from capacity.facilities import Facility
from capacity.funding import FundingStream
from capacity.placement_types import PlacementType as T
from capacity.regions import REGIONS

ADULTS = frozenset(
    {"adult_b8", "adult_nl_eu", "adult_no_b8", "adult_asylum", "adult_labour_victim"}
)
SHELTER_ADULTS = frozenset({"adult_nl_eu", "adult_b8", "adult_no_b8"})
YOUTH = frozenset({"minor_nl_eu", "foreign_minor_accompanied", "young_adult_vulnerable"})
ALL_CATEGORIES = ADULTS | YOUTH | {"unaccompanied_minor"}

COSM_BUDGET = 3_400_000.0  # euros a year (estimate: more than double EUR 1.6M of 2017)
OMM_BUDGET = 2_000_000.0  # euros a year (sourced: VWS, coalition agreement, 2019 onward)
LABOUR_BUDGET = 330_000.0  # euros a year (estimate: 6 beds at EUR 150 a day)
MENS_SHELTER_BUDGET = 2_000_000.0  # euros a year (estimate: 36 beds at EUR 150 a day)
JEUGDWET_BUDGET = 17_500_000.0  # euros a year (estimate: 150 beds at EUR 320 a day)
COA_BUDGET = 3_100_000.0  # euros a year (estimate: 40 places at EUR 210 a day)
WMO_BUDGET_YEARS = 2.0  # regional budget in years of full-occupancy cost of its beds (estimate)
WMO_ROUNDING = 10_000.0  # euros: regional budgets are rounded up to this
DAYS_PER_YEAR = 365  # days


_NATIONAL: tuple[FundingStream, ...] = (
    FundingStream(
        "jenv-cosm",
        "COSM tender (JenV)",
        "Ministry of Justice and Security (JenV)",
        frozenset({T.COSM}),
        frozenset({"adult_b8"}),
        budget_per_period=COSM_BUDGET,
    ),
    FundingStream(
        "iszw-labour",
        "Labour-exploitation beds (Labour Inspectorate)",
        "Netherlands Labour Authority (SZW)",
        frozenset({T.LABOUR_EXPLOITATION}),
        frozenset({"adult_labour_victim"}),
        budget_per_period=LABOUR_BUDGET,
    ),
    FundingStream(
        "vws-omm",
        "OMM, Samen tegen mensenhandel (VWS)",
        "Ministry of Health, Welfare and Sport (VWS)",
        frozenset({T.OMM}),
        ADULTS,
        budget_per_period=OMM_BUDGET,
    ),
    FundingStream(
        "vng-mens-shelter",
        "Men's shelter (VNG)",
        "VNG (municipalities)",
        frozenset({T.MENS_SHELTER}),
        SHELTER_ADULTS,
        budget_per_period=MENS_SHELTER_BUDGET,
    ),
    FundingStream(
        "jeugdwet",
        "Youth care (Jeugdwet)",
        "municipalities (Jeugdwet)",
        frozenset({T.YOUTH_SPECIALISED}),
        YOUTH,
        budget_per_period=JEUGDWET_BUDGET,
    ),
    FundingStream(
        "coa-protected-reception",
        "Protected reception (COA)",
        "COA",
        frozenset({T.PROTECTED_RECEPTION}),
        frozenset({"unaccompanied_minor"}),
        budget_per_period=COA_BUDGET,
    ),
    FundingStream(
        "zvw",
        "Health insurance (Zvw)",
        "health insurers (Zvw)",
        frozenset({T.MENTAL_HEALTH_CLINICAL}),
        ALL_CATEGORIES,
    ),
)


def national_streams(period: str) -> list[FundingStream]:
    """The national funding streams (one per national payer and placement type).

    Parameters
    ----------
    period
        Label of the budget year (``"2026"``).

    Returns
    -------
    list of FundingStream
    """
    return [replace(s, period=period) for s in _NATIONAL]


def wmo_streams(facilities: list[Facility], period: str) -> list[FundingStream]:
    """One Wmo/DUVO stream per centrumgemeente, for its women's shelter, crisis and housing.

    Parameters
    ----------
    facilities
        All facilities; the budget of a region is the full-occupancy cost of the beds its
        stream pays for, times :data:`WMO_BUDGET_YEARS`, rounded up to :data:`WMO_ROUNDING`.

    Returns
    -------
    list of FundingStream
        In the order of :data:`capacity.regions.REGIONS`.
    """
    yearly: dict[str, float] = defaultdict(float)
    for f in facilities:
        yearly[f.funding_stream_id] += f.beds * f.cost_per_bed_day * DAYS_PER_YEAR
    streams = []
    for r in REGIONS:
        sid = wmo_stream_id(r.id)
        budget = -(-yearly[sid] * WMO_BUDGET_YEARS // WMO_ROUNDING) * WMO_ROUNDING
        streams.append(
            FundingStream(
                sid,
                f"Wmo/DUVO {r.name}",
                f"centrumgemeente {r.name}",
                frozenset({T.WOMENS_SHELTER, T.CRISIS, T.SHELTERED_HOUSING}),
                SHELTER_ADULTS,
                region_id=r.id,
                budget_per_period=budget,
                period=period,
            )
        )
    return streams
