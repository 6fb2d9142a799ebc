"""The intake profile refuses invalid values with the field and the reason."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from capacity import Case, InvalidCaseError, Need


def test_a_valid_case_needs_one_bed_per_person(make_case):
    case = make_case(accompanying_children=2)
    assert case.beds == 3
    assert case.days_waited(date(2026, 11, 11)) == 10
    assert case.days_waited(date(2026, 10, 1)) == 0


def test_no_identity_fields_exist():
    names = {f.name for f in dataclasses.fields(Case)}
    for forbidden in (
        "name",
        "first_name",
        "surname",
        "address",
        "date_of_birth",
        "birth_date",
        "bsn",
        "document_number",
    ):
        assert forbidden not in names


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"id": "c 1"}, "id", "upper-case"),
        ({"age": -1}, "age", "0 to 120"),
        ({"age": 121}, "age", "0 to 120"),
        ({"age": True}, "age", "whole number"),
        ({"gender": "female"}, "gender", "is not one of"),
        ({"residence_status": "mars"}, "residence_status", "unknown code 'mars'"),
        ({"accompanying_children": 13}, "accompanying_children", "0 to 12"),
        ({"region_signalled": "atlantis"}, "region_signalled", "unknown region"),
        ({"region_of_exploitation": ""}, "region_of_exploitation", "unknown region"),
        ({"preferred_regions": ("utrecht", "nowhere")}, "preferred_regions[1]", "unknown region"),
        ({"preferred_regions": ("utrecht", "utrecht")}, "preferred_regions", "twice"),
        ({"needs": frozenset({"lvb"})}, "needs", "must be a set of"),
        ({"needs": frozenset({Need.INTERPRETER})}, "interpreter_language", "language code"),
        ({"interpreter_language": "ro"}, "interpreter_language", "only given when"),
        ({"unaccompanied": True}, "unaccompanied", "only a minor"),
        ({"responsible_organisation": ""}, "responsible_organisation", "1-80"),
        ({"responsible_organisation": "x" * 81}, "responsible_organisation", "1-80"),
    ],
)
def test_invalid_profiles_name_field_and_reason(make_case, changes, field, reason):
    with pytest.raises(InvalidCaseError) as err:
        make_case(**changes)
    assert err.value.field == field
    assert reason in err.value.reason


def test_a_case_that_breaks_two_rules_names_both(make_case):
    with pytest.raises(InvalidCaseError) as err:
        make_case(intake_date=date(1999, 1, 1), responsible_organisation="Jan 06-12345678")
    assert err.value.field == "intake_date"  # the first as before: one-field answers unchanged
    assert [e.field for e in err.value.others] == ["responsible_organisation"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"age": 130, "unaccompanied": True}, "age"),  # not also "only a minor"
        ({"needs": frozenset({"lvb"}), "interpreter_language": "ro"}, "needs"),
        ({"intake_date": "2026-11-01"}, "intake_date"),  # "a date", not also "before 2000"
    ],
)
def test_a_rule_that_reads_a_refused_field_is_not_named_too(make_case, changes, field):
    with pytest.raises(InvalidCaseError) as err:
        make_case(**changes)
    assert (err.value.field, err.value.others) == (field, ())
