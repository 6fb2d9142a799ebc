"""Domain errors of the scenarios package.

Every error names *what* is wrong and *why*, so the CLI and the API can show it as it is.
An error's ``args`` are its constructor's arguments: SimPy re-raises a process's error as
``type(exc)(*exc.args)`` and pickle (Dask) rebuilds it the same way, so an error whose
``args`` held only its message came out as a ``TypeError`` about a missing argument.
"""

from __future__ import annotations


class ScenarioError(Exception):
    """Base class of all errors raised by :mod:`scenarios`."""


class InvalidScenarioError(ScenarioError, ValueError):
    """A scenario file was refused.

    Parameters
    ----------
    source
        The file (or ``"<string>"``) the scenario came from.
    key
        Where inside the file the problem is, as a dotted path (``demand[0].stay.omm``);
        empty for the whole file.
    reason
        Why it was refused, in words a policy officer understands.
    """

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(source, key, reason)
        self.source = source
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.source}: {self.key}" if self.key else self.source
        return f"{where}: {self.reason}"


class ScenarioRunError(ScenarioError):
    """A run could not be carried out (a cluster that cannot be reached, an output folder
    that cannot be written, results that do not belong together)."""


class RefusedFieldError(ScenarioError, ValueError):
    """A request was refused for the value of one of its fields.

    Parameters
    ----------
    field
        The request's field (``beds``, ``budgets[0].per_year``; empty: the whole request).
    reason
        Why, in a user's words.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class InvalidPlanError(RefusedFieldError):
    """A capacity plan was asked for with a value it refuses (``field``: ``beds``,
    ``budget``, ``types``, ``regions``)."""


class InvalidVariantError(RefusedFieldError):
    """Changes to a scenario (:mod:`scenarios.variant`) that cannot apply (``field``:
    ``beds[0].region``, ``budgets[1].per_year``, ``policy``, ``horizon_days``)."""
