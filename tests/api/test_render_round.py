"""The demo's round tables read in an 80-column terminal (issues 15, 17)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any, cast

from rich.console import Console

from api.cli.render_round import extra_beds
from matching import BedValue

WIDTH = 80


def test_extra_bed_values_keep_their_numbers_at_80_columns():
    names = {
        "sh-nijmegen": "Sheltered housing Nijmegen",
        "ggz-ehv": "Clinical mental-health ward Eindhoven",
    }
    built = cast(Any, SimpleNamespace(facility=lambda f: SimpleNamespace(name=names[f])))
    values = [
        BedValue("sheltered_housing", "nijmegen", "sh-nijmegen", 423.0),
        BedValue("mental_health_clinical", "s-hertogenbosch", "ggz-ehv", 1234.5),
    ]
    console = Console(width=WIDTH, record=True)
    console.print(extra_beds(built, values))
    text = console.export_text()
    assert all(len(line) <= WIDTH for line in text.splitlines())
    assert re.search(r"Nijmegen +423\.0$", text, re.M)  # the value column was cropped away
    assert re.search(r"'s-Hertogenbosch +1,234\.5$", text, re.M)
    for word in ("weighted", "waiting days", "saved"):  # the unit, in the glossary's words
        assert word in text
