"""Free text that looks like identity data is refused (issue 16): a case is pseudonymous."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capacity import (
    Case,
    ExploitationType,
    Gender,
    InvalidCaseError,
    ResidenceStatus,
    personal_data_in,
)
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset

CASE = Case(
    id="C-2026-0001",
    intake_date=date(2026, 10, 1),
    age=30,
    gender=Gender.FEMALE,
    residence_status=ResidenceStatus.EU,
    exploitation_type=ExploitationType.SEXUAL,
    region_signalled="utrecht",
    region_of_exploitation="utrecht",
    responsible_organisation="CoMensha",
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Maria Jansen 06-12345678", "phone number"),
        ("Jan +31 6 1234 5678", "phone number"),
        ("BSN 123456782", "BSN"),
        ("maria.jansen@example.nl", "e-mail"),
        ("Maria, geb. 12-03-1994", "date"),
        ("Kerkstraat 1, 3511 AB Utrecht", "postcode"),
    ],
)
def test_identity_data_in_the_organisation_is_refused(text, words):
    assert words in (personal_data_in(text) or "")
    with pytest.raises(InvalidCaseError) as refused:
        replace(CASE, responsible_organisation=text)
    assert refused.value.field == "responsible_organisation"


def test_every_organisation_of_the_demo_passes():
    dataset = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
    for name in {c.responsible_organisation for c in dataset.cases} | {
        f.name for f in dataset.facilities
    }:
        assert personal_data_in(name) is None, name


@given(st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=80))
def test_letters_and_spaces_alone_are_never_flagged(text):
    assert personal_data_in(text) is None
