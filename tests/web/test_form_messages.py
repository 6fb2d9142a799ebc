"""Every validation message on a dashboard page is in a person's words (issue 14).

Pydantic's own texts ("Input should be 'case_declined', ...") name codes, not choices; the
pages map each error type to words (:func:`api.web.forms.human_message`).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.cases.schemas import CaseCreate
from api.placements.schemas import PlacementDischarge
from api.proposals.schemas import ProposalDecline
from api.web.forms import api_errors, validation_errors
from capacity import InvalidCaseError

FIELDS = list(CaseCreate.model_fields)
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(-1000, 1000),
    st.sampled_from(["", "robot", "2999-01-01", "01-02-2026", "ro", "romanian", "yes", "1.5"]),
    st.lists(st.text(max_size=5), max_size=40),
    st.none(),
)


def messages(model, data) -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return list(validation_errors(exc).values())
    return []


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*FIELDS, "nickname"]), VALUES, max_size=8))
def test_no_intake_message_is_pydantics_own(data):
    for message in messages(CaseCreate, data):
        assert "Input should" not in message
        assert "should match pattern" not in message
        assert message


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["reason", "text", "day"]), VALUES, max_size=3))
def test_no_decline_or_discharge_message_is_pydantics_own(data):
    found = messages(ProposalDecline, data) + messages(PlacementDischarge, {"day": data.get("day")})
    for message in found:
        assert "Input should" not in message


def test_a_missing_decline_reason_asks_to_choose_from_the_list():
    assert messages(ProposalDecline, {"reason": ""}) == ["choose one of the options in the list"]


def refused(*fields: tuple[str, str]) -> InvalidCaseError:
    """A case's refusal as :func:`capacity.errors.refuse` raises it: the first, the rest."""
    first, *rest = (InvalidCaseError(field, reason) for field, reason in fields)
    first.others = tuple(rest)
    return first


def test_every_field_a_refusal_names_gets_its_message_the_first_per_field():
    exc = refused(
        ("region_signalled", "unknown region 'atlantis'"),
        ("preferred_regions[0]", "unknown region 'mordor'"),
        ("preferred_regions[1]", "unknown region 'gondor'"),
        ("unaccompanied", "only a minor (under 18) can be an unaccompanied minor"),
    )
    assert api_errors(exc) == {
        "region_signalled": "unknown region 'atlantis'",
        "preferred_regions": "unknown region 'mordor'",
        "unaccompanied": "only a minor (under 18) can be an unaccompanied minor",
    }
    assert api_errors(refused(("age", "must be a whole number from 0 to 120"))) == {
        "age": "must be a whole number from 0 to 120"
    }
