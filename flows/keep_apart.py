"""Keep-apart pairs set and lifted by coordinators (issue 14), audited.

Every round respects them (:func:`flows.prepare_round` hands them to
:func:`matching.build_problem`). The audit log names both cases and the reason code,
never more; policymakers never see a pair.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from capacity import KeepApart, KeepApartReason, UnknownReferenceError
from flows.errors import InvalidInputError
from store import KeepApartRepository, Repository, audit


def keep_apart(
    session: Session, case_id: str, *, other: str, reason: KeepApartReason | str, by: str
) -> KeepApart:
    """Keep two cases apart from now on (the caller owns the transaction).

    Raises
    ------
    UnknownReferenceError
        When ``case_id`` does not exist.
    InvalidInputError
        When ``other`` is ``case_id`` or no stored case, or the reason is not on the list.
    DuplicateRecordError
        When the pair is already kept apart.
    """
    repo = Repository(session)
    repo.case(case_id)  # unknown: a 404 before anything else
    return _add(session, case_id, other=other, reason=reason, by=by, field="other_case_id")


def keep_apart_at_intake(
    session: Session, case_id: str, pairs: list[tuple[str, KeepApartReason]], *, by: str
) -> list[KeepApart]:
    """Store the pairs given at intake with a new case (field ``keep_apart[i]``)."""
    return [
        _add(session, case_id, other=other, reason=reason, by=by, field=f"keep_apart[{i}].case_id")
        for i, (other, reason) in enumerate(pairs)
    ]


def _add(
    session: Session,
    case_id: str,
    *,
    other: str,
    reason: KeepApartReason | str,
    by: str,
    field: str,
) -> KeepApart:
    if other == case_id:
        raise InvalidInputError(field, "a case cannot be kept apart from itself")
    try:
        Repository(session).case(other)
    except UnknownReferenceError:
        raise InvalidInputError(field, f"no case {other!r} is registered") from None
    pair = KeepApart.of(case_id, other, reason, by=by)  # an unknown reason names its field
    stored = KeepApartRepository(session).add(pair)
    for me in pair.pair:
        audit.record(
            session,
            actor=by,
            action="case.keep_apart",
            record_type="case",
            record_id=me,
            detail={"other": pair.other(me), "reason": pair.reason.value},
        )
    return stored


def lift_keep_apart(session: Session, case_id: str, *, other: str, by: str) -> None:
    """Lift a keep-apart pair (audited on both cases), whatever its stored reason.

    A pair stored with a reason this version no longer knows stops every matching round
    (``opvang db check`` lists it); lifting it and setting it again with a reason of
    today's list corrects it, so lifting does not read the reason as a code (it is
    audited as stored).

    Raises
    ------
    UnknownReferenceError
        When the pair is not stored.
    """
    reason = KeepApartRepository(session).remove(case_id, other)
    a, b = sorted((case_id, other))
    for me, them in ((a, b), (b, a)):
        audit.record(
            session,
            actor=by,
            action="case.keep_apart_lifted",
            record_type="case",
            record_id=me,
            detail={"other": them, "reason": reason},
        )


def kept_apart_from(session: Session, case_id: str) -> list[KeepApart]:
    """The pairs of one case, oldest first."""
    return KeepApartRepository(session).pairs(case_id)
