"""Plain values back into value objects (:func:`capacity.records.from_plain`).

A code that its enumeration no longer has (a stored case's status, a need, a facility's
placement type that a newer version dropped) is refused as a field with that code, with
every other field the record breaks: it was a bare ``ValueError`` naming neither, and
``opvang db check`` stopped at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from capacity.cases import Case
from capacity.errors import InvalidCaseError, InvalidFieldError, InvalidSupplyError
from capacity.facilities import Facility
from capacity.records import from_plain, to_plain


def test_a_case_with_unknown_codes_names_each_field_with_its_code_and_the_other_fields(
    make_case,
):
    values = to_plain(make_case()) | {
        "status": "on_hold",
        "needs": ["sauna", "trauma_care", "spa"],
        "age": 130,
    }
    with pytest.raises(InvalidCaseError) as err:
        from_plain(Case, values)
    refused = {e.field: e.reason for e in (err.value, *err.value.others)}
    assert list(refused) == ["age", "status", "needs"]
    assert refused["status"].startswith("holds an unknown code 'on_hold' (known codes: waiting,")
    assert refused["needs"].startswith("holds unknown codes 'sauna', 'spa' (known codes: ")


def test_a_facility_with_unknown_codes_names_each_field_with_its_code(make_facility):
    values = to_plain(make_facility()) | {"gender_policy": "nobody", "specialisms": ["sauna"]}
    with pytest.raises(InvalidSupplyError) as err:
        from_plain(Facility, values)
    refused = {e.field: e.reason for e in (err.value, *err.value.others)}
    assert list(refused) == ["facility.gender_policy", "facility.specialisms"]
    assert refused["facility.gender_policy"].startswith("holds an unknown code 'nobody'")
    assert refused["facility.specialisms"].startswith("holds an unknown code 'sauna'")


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Unchecked:
    """A value object that does not check its enumeration field itself."""

    colour: Colour


def test_a_value_object_never_holds_an_unknown_code_as_text_even_unchecked():
    assert from_plain(Unchecked, {"colour": "red"}) == Unchecked(Colour.RED)
    with pytest.raises(InvalidFieldError) as err:
        from_plain(Unchecked, {"colour": "blue"})
    assert (err.value.field, err.value.reason) == (
        "colour",
        "holds an unknown code 'blue' (known codes: red)",
    )
