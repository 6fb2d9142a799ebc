"""matching: the waiting-list optimiser.

Works on immutable value objects: a :class:`MatchingProblem` in, a :class:`MatchResult` out.

The names are loaded on first use (:mod:`lazy_loader`, from ``__init__.pyi``, which lists
them once): ``from matching import solve`` imports the solver, not the rulebook
machinery of :func:`build_problem` nor the explanations (issue 17: a small
``opvang solve`` spent more than a second importing what it never used).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
