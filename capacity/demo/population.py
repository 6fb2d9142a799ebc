"""Where cases are signalled: population weights of the 35 regions and the police-unit boost.

The population of each centrumgemeente region is a rounded general-knowledge estimate (the
fact sheet has none); only the *pattern* of the boost is sourced: four of the ten police
units supplied over 75% of reports of domestic sexual exploitation (National Rapporteur,
2018, on 2017 figures). Which four is an estimate.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from capacity.regions import REGIONS

# Inhabitants per region in thousands (estimate: general knowledge, rounded).
REGION_POPULATION: dict[str, int] = {  # thousands of inhabitants
    "groningen": 590,
    "leeuwarden": 650,
    "emmen": 495,
    "zwolle": 530,
    "deventer": 260,
    "enschede": 630,
    "apeldoorn": 330,
    "ede": 350,
    "arnhem": 690,
    "nijmegen": 560,
    "almere": 440,
    "utrecht": 900,
    "amersfoort": 300,
    "hilversum": 250,
    "amsterdam": 1100,
    "zaanstad": 340,
    "haarlem": 540,
    "alkmaar": 400,
    "den-helder": 200,
    "leiden": 570,
    "den-haag": 800,
    "delft": 310,
    "gouda": 250,
    "rotterdam": 1100,
    "vlaardingen": 300,
    "dordrecht": 450,
    "middelburg": 390,
    "breda": 710,
    "tilburg": 480,
    "s-hertogenbosch": 650,
    "eindhoven": 760,
    "helmond": 270,
    "venlo": 510,
    "heerlen": 240,
    "maastricht": 330,
}

# The four units boosted for domestic sexual exploitation (estimate: the source names none).
BOOSTED_POLICE_UNITS: frozenset[str] = frozenset(
    {"Amsterdam", "Rotterdam", "Den Haag", "Midden-Nederland"}
)
BOOSTED_SHARE = 0.75  # fraction of domestic sexual-exploitation cases from the boosted units

REGION_IDS: tuple[str, ...] = tuple(r.id for r in REGIONS)


def population_weights() -> npt.NDArray[np.float64]:
    """Probability of each region (in :data:`REGION_IDS` order) in proportion to population.

    Returns
    -------
    numpy.ndarray
        Weights summing to 1.
    """
    pop = np.array([REGION_POPULATION[r] for r in REGION_IDS], dtype=np.float64)
    weights: npt.NDArray[np.float64] = pop / pop.sum()
    return weights


def domestic_sexual_weights() -> npt.NDArray[np.float64]:
    """Region weights for domestic sexual exploitation: the boosted units supply 75%.

    Within the boosted units and within the others, regions keep their population
    proportions.

    Returns
    -------
    numpy.ndarray
        Weights summing to 1, in :data:`REGION_IDS` order.
    """
    base = population_weights()
    boosted = np.array([r.police_unit in BOOSTED_POLICE_UNITS for r in REGIONS])
    out: npt.NDArray[np.float64] = np.where(
        boosted,
        base / base[boosted].sum() * BOOSTED_SHARE,
        base / base[~boosted].sum() * (1.0 - BOOSTED_SHARE),
    )
    return out


def largest_remainder(total: int, weights: npt.NDArray[np.float64]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` (Hamilton's method).

    Parameters
    ----------
    total
        The whole to split.
    weights
        Non-negative weights, one per part.

    Returns
    -------
    list of int
        Parts summing to ``total``; leftover units go to the largest remainders (ties to
        the first).
    """
    share = weights / weights.sum() * total
    parts = np.floor(share).astype(int)
    order = np.argsort(-(share - parts), kind="stable")
    for i in order[: total - int(parts.sum())]:
        parts[i] += 1
    return [int(p) for p in parts]


def apportion_at_least_one(total: int, weights: npt.NDArray[np.float64]) -> list[int]:
    """Split ``total`` so that every part gets at least one (Huntington-Hill method).

    Each part starts with one; every further unit goes to the part with the highest
    ``weight / sqrt(n * (n + 1))`` where ``n`` is what it holds, so no small part is
    rounded up past a larger one.

    Parameters
    ----------
    total
        The whole to split; at least the number of parts.
    weights
        Positive weights, one per part.

    Returns
    -------
    list of int
        Parts summing to ``total``.
    """
    parts = np.ones(len(weights), dtype=int)
    for _ in range(total - len(weights)):
        priority = weights / np.sqrt(parts * (parts + 1))
        parts[int(np.argmax(priority))] += 1
    return [int(p) for p in parts]
