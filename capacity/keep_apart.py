"""Keep-apart pairs: two cases never placed at one facility (issue 14).

Co-victims who must not meet, or a victim and a suspected recruiter, are stored as a
pair with a reason from a closed list (no free text: a pair is already sensitive). The
pair is pseudonymous (two case ids) and never shown to policymakers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from capacity.cases import CASE_ID_PATTERN
from capacity.errors import InvalidFieldError, unknown_codes


class KeepApartReason(StrEnum):
    """Why two cases must not be placed at one facility."""

    CO_VICTIMS = "co_victims"  # victims of one case who must not meet (testimony, pressure)
    SUSPECTED_RECRUITER = "suspected_recruiter"  # one is suspected of recruiting the other
    THREAT = "threat"  # one threatens the other, or the other's family
    OTHER_SAFETY = "other_safety"  # another safety reason, on record with the organisation


KEEP_APART_LABELS: dict[KeepApartReason, str] = {
    KeepApartReason.CO_VICTIMS: "co-victims who must not meet",
    KeepApartReason.SUSPECTED_RECRUITER: "suspected recruiter",
    KeepApartReason.THREAT: "threat between the two",
    KeepApartReason.OTHER_SAFETY: "another safety reason",
}
"""The reasons in a coordinator's words."""


@dataclass(frozen=True, slots=True)
class KeepApart:
    """Two cases never to be placed at one facility, stored once with ``case_a < case_b``.

    Parameters
    ----------
    case_a, case_b
        The two case ids (order them with :meth:`of`).
    reason
        Why.
    created_by
        Who set it.
    created_at
        When (``None`` until stored).
    """

    case_a: str
    case_b: str
    reason: KeepApartReason
    created_by: str
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("case_a", "case_b"):
            value = getattr(self, name)
            if not isinstance(value, str) or not CASE_ID_PATTERN.match(value):
                raise InvalidFieldError(name, "must be a case id such as C-2026-0042")
        if self.case_a == self.case_b:
            raise InvalidFieldError("case_b", "a case cannot be kept apart from itself")
        if self.case_a > self.case_b:
            raise InvalidFieldError("case_a", "must come before case_b (use KeepApart.of)")
        if not isinstance(self.reason, KeepApartReason):
            allowed = ", ".join(r.value for r in KeepApartReason)
            reason = unknown_codes([self.reason], KeepApartReason)  # a stored, retired code
            raise InvalidFieldError("reason", reason or f"{self.reason!r} is not one of: {allowed}")

    @classmethod
    def of(
        cls,
        one: str,
        other: str,
        reason: KeepApartReason | str,
        *,
        by: str,
        at: datetime | None = None,
    ) -> KeepApart:
        """The pair of two cases in either order.

        Raises
        ------
        InvalidFieldError
            A case paired with itself, an id that is no case id, or an unknown reason.
        """
        try:
            code = KeepApartReason(reason)
        except ValueError:
            allowed = ", ".join(r.value for r in KeepApartReason)
            raise InvalidFieldError("reason", f"{reason!r} is not one of: {allowed}") from None
        a, b = sorted((one, other))
        return cls(a, b, code, by, at)

    def other(self, case_id: str) -> str:
        """The case kept apart from ``case_id``."""
        return self.case_b if case_id == self.case_a else self.case_a

    @property
    def pair(self) -> tuple[str, str]:
        """The two case ids, in stored order."""
        return (self.case_a, self.case_b)
