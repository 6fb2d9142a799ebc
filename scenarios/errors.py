"""Domain errors of the scenarios package.

Every error names *what* is wrong and *why*, so the CLI and the API can show it as it is.
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
        self.source = source
        self.key = key
        self.reason = reason
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {reason}")


class ScenarioRunError(ScenarioError):
    """A run could not be carried out (a cluster that cannot be reached, an output folder
    that cannot be written, results that do not belong together)."""


class InvalidPlanError(ScenarioError, ValueError):
    """A capacity plan was asked for with a value it refuses.

    Parameters
    ----------
    field
        The request's field (``beds``, ``budget``, ``types``, ``regions``).
    reason
        Why, in a user's words.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")
