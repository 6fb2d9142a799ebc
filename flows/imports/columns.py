"""The columns of each import template, with their English and Dutch headers (issue 16).

A column is a field of the value object it fills (:class:`capacity.Facility`,
:class:`capacity.Case`, :class:`capacity.Placement`), named as in the code (the English
header) or by the glossary's Dutch term (``docs/glossary.md``). Headers are matched
without regard to case, spaces, dashes or apostrophes: ``Regio van signalering``,
``regio_van_signalering`` and ``region_signalled`` all name the same column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a file imports."""

    FACILITIES = "facilities"
    CASES = "cases"
    PLACEMENTS = "placements"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a template.

    Parameters
    ----------
    field
        The value object's field it fills, and its English header.
    dutch
        Its Dutch header.
    """

    field: str
    dutch: str


PROVIDER_NAME = "provider_name"  # facilities: names a provider the database does not know yet
FREE_TEXT = frozenset({"name", PROVIDER_NAME, "responsible_organisation"})
"""Columns of free text: checked for what looks like identity data (never a person's)."""

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.FACILITIES: (
        Column("id", "locatie_id"),
        Column("name", "naam"),
        Column("provider_id", "aanbieder_id"),
        Column(PROVIDER_NAME, "aanbieder_naam"),
        Column("region_id", "regio"),
        Column("placement_type", "opvangvorm"),
        Column("beds", "opvangplekken"),
        Column("funding_stream_id", "financieringsstroom"),
        Column("cost_per_bed_day", "kosten_per_bed_per_dag"),
        Column("specialisms", "specialismen"),
        Column("gender_policy", "geslachtsbeleid"),
        Column("min_age", "minimumleeftijd"),
        Column("max_age", "maximumleeftijd"),
        Column("max_children", "maximum_kinderen"),
        Column("secret_address", "geheim_adres"),
        Column("languages", "talen"),
        Column("wheelchair_access", "rolstoeltoegankelijk"),
        Column("lat", "breedtegraad"),
        Column("lon", "lengtegraad"),
    ),
    Kind.CASES: (
        Column("id", "casusnummer"),
        Column("intake_date", "intakedatum"),
        Column("age", "leeftijd"),
        Column("gender", "geslacht"),
        Column("residence_status", "verblijfsstatus"),
        Column("exploitation_type", "uitbuitingsvorm"),
        Column("region_signalled", "regio_van_signalering"),
        Column("region_of_exploitation", "regio_van_uitbuiting"),
        Column("responsible_organisation", "verantwoordelijke_organisatie"),
        Column("accompanying_children", "meekomende_kinderen"),
        Column("needs", "zorgbehoeften"),
        Column("safety_risk", "veiligheidsrisico"),
        Column("interpreter_language", "taal_tolk"),
        Column("preferred_regions", "voorkeursregios"),
        Column("unaccompanied", "amv"),
        Column("status", "status"),
    ),
    Kind.PLACEMENTS: (
        Column("id", "plaatsing_id"),
        Column("case_id", "casusnummer"),
        Column("facility_id", "locatie_id"),
        Column("beds", "opvangplekken"),
        Column("start", "startdatum"),
        Column("expected_end", "verwachte_einddatum"),
        Column("actual_end", "einddatum"),
        Column("recorded_at", "geregistreerd_op"),
    ),
}
"""Every template's columns, in the order a template and an export list them."""


def normalised(header: str) -> str:
    """A header as it is matched: lower case, words joined by ``_``, no apostrophes."""
    text = header.strip().lower().replace("'", "").replace("’", "")
    return re.sub(r"[\s\-/]+", "_", text)


def column_for(kind: Kind, header: str) -> Column | None:
    """The column a header names (English or Dutch), or ``None``."""
    wanted = normalised(header)
    for column in COLUMNS[kind]:
        if wanted in (column.field, normalised(column.dutch)):
            return column
    return None


def headers(kind: Kind, *, dutch: bool = False) -> tuple[str, ...]:
    """A template's header row, in English (the code's names) or Dutch."""
    return tuple(c.dutch if dutch else c.field for c in COLUMNS[kind])
