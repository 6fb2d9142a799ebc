"""Organisations as the API takes and shows them."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.types import InputModel
from capacity import personal_data_in
from capacity.cases import ORGANISATION_MAX_LENGTH

PHONE_LIKE = re.compile(r"\d[\d\s-]{5,}\d")  # six digits or more: a phone or document number


class OrganisationCreate(InputModel):
    """An organisation to put on the list: its name, never a person's."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=2,
        max_length=ORGANISATION_MAX_LENGTH,
        description="As cases name it (`CoMensha`, `Zorgcoördinatie Utrecht`).",
    )

    @field_validator("name")
    @classmethod
    def _an_organisation(cls, value: str) -> str:
        name = " ".join(value.split())
        if len(name) < 2:
            raise ValueError("must be an organisation's name")
        if "@" in name or PHONE_LIKE.search(name):
            raise ValueError("must be an organisation's name: no e-mail address or phone number")
        if (found := personal_data_in(name)) is not None:  # a postcode, a date (issue 16)
            raise ValueError(f"must be an organisation's name: {found}")
        return name


class OrganisationPublic(BaseModel):
    id: int
    name: str
    created_at: dt.datetime | None


class OrganisationsPublic(BaseModel):
    data: list[OrganisationPublic]
    count: int
