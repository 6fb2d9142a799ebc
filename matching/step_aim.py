"""Where the Lagrangian's next step aims: the best bound plus a margin, capped at the plan.

A subgradient step of Polyak's length, ``(aim - bound) / |slope|^2``, goes as far as the
bound would have to rise to reach ``aim`` were it linear. Aimed at the best plan's value,
as :mod:`matching.capacity_bound` did until issue 11's step study, the steps overshoot
for as long as that plan is far above the optimum: on tight-budget rounds the greedy's
plan is several times the optimum (sweep seed 1910: 186,265 against a bound of 31,700
after 150 steps), and halving the length after 10 steps without a better bound left
1910's bound at 1,085 for its first 20 steps. Halving sooner (after 5 steps) lost on
rounds whose steps overshoot far every few steps and then climb to a new best (1958:
1,107 against 2,009 after 150 steps).

The **level method** here (Polyak's step towards a target level that follows the best
bound, instead of towards a fixed value) aims at ``best bound + margin``, never above the
plan: the margin starts at the distance from the first bound to the plan (the first
steps are Polyak's towards the plan), halves after ``LEVEL_PATIENCE`` steps without a
better bound and grows ``LEVEL_GROW`` times whenever a step's bound reaches the aim. A
plan far above the optimum then stops pulling the steps long once the margin has shrunk,
and a round that needs long steps gets them back as soon as a step reaches its aim.
Measured by counted steps (``benchmarks/matching/lagrangian_steps.py``; in
``benchmarks/README.md`` *The Lagrangian's step length when the plan is far above the
optimum* and *The level method: steps aimed between the best bound and the plan, kept*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

LEVEL_PATIENCE = 5  # steps without a better bound before the margin halves
LEVEL_GROW = 1.5  # the margin's growth when a step's bound reaches the aim
# the margin, as a share of the first, below which the steps stop (the 14th halving
# without a growth, as the halved step length of the rule before stopped at the 14th)
SMALLEST_MARGIN = 1e-4


class StepAim(Protocol):
    """A rule for where each step aims (a step's length: ``aim - bound`` over the slope's norm)."""

    def after(self, bound: float, best: float, improved: bool) -> float | None:
        """The next step's aim after a step's ``bound``; ``None`` to stop."""


@dataclass
class LevelAim:
    """The aim of each step, from the bounds so far (one per :func:`capacity_bound` run).

    Parameters
    ----------
    incumbent
        The best plan's value: the aim never goes above it.
    patience
        Steps without a better bound before the margin halves.
    """

    incumbent: float
    patience: int = LEVEL_PATIENCE
    # the run's state, not parameters
    margin: float = field(default=math.nan, init=False)  # set from the first bound
    first_margin: float = field(default=math.nan, init=False)
    aim: float = field(default=math.inf, init=False)
    stale: int = field(default=0, init=False)

    def after(self, bound: float, best: float, improved: bool) -> float | None:
        """The value the next step aims at, or ``None`` once the margin has run out.

        ``bound``: this step's bound; ``best``: the best so far, this one included;
        ``improved``: whether this step raised the best.
        """
        if math.isnan(self.margin):
            self.margin = self.first_margin = self.incumbent - bound
        elif bound >= self.aim:
            self.margin *= LEVEL_GROW
        self.stale = 0 if improved else self.stale + 1
        if self.stale >= self.patience:
            self.margin, self.stale = self.margin / 2, 0
            if self.margin < SMALLEST_MARGIN * self.first_margin:
                return None
        self.aim = min(best + self.margin, self.incumbent)
        return self.aim
