"""A facility refuses values with the field and the reason, and names every field it
refuses at once (a stored facility is mended in one pass, ``opvang db check``)."""

from __future__ import annotations

import pytest

from capacity import InvalidSupplyError


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"id": "f 1"}, "facility.id", "letters, digits"),
        ({"region_id": "atlantis"}, "facility.region_id", "unknown region"),
        ({"beds": -1}, "facility.beds", "0 to 10000"),
        ({"min_age": 30, "max_age": 20}, "facility.min_age/max_age", "min_age <= max_age"),
        ({"cost_per_bed_day": 1e308}, "facility.cost_per_bed_day", "0 to 100000 euros"),
        ({"languages": frozenset({"nl", "Dutch"})}, "facility.languages", "'Dutch'"),
        ({"lat": 53.2}, "facility.lat/lon", "both coordinates or neither"),
        ({"lat": 95.0, "lon": 5.8}, "facility.lat", "50 to 54 degrees north"),
    ],
)
def test_a_refused_value_names_field_and_reason(make_facility, changes, field, reason):
    with pytest.raises(InvalidSupplyError) as err:
        make_facility(**changes)
    assert err.value.field == field
    assert reason in err.value.reason
    assert err.value.others == ()


def test_a_facility_that_breaks_two_rules_names_both(make_facility):
    with pytest.raises(InvalidSupplyError) as err:
        make_facility(cost_per_bed_day=1e308, lat=95.0, lon=200.0)
    # the first as before (one-field answers unchanged), the others in the rules' order
    assert err.value.field == "facility.cost_per_bed_day"
    assert [(e.field, e.reason) for e in err.value.others] == [
        (
            "facility.lat",
            "must lie in the Netherlands: from 50 to 54 degrees north (decimal degrees)",
        ),
        (
            "facility.lon",
            "must lie in the Netherlands: from 3 to 7.5 degrees east (decimal degrees)",
        ),
    ]
    assert str(err.value) == (
        "facility.cost_per_bed_day: must be from 0 to 100000 euros per bed per day "
        "(no care bed costs more)"
    )


def test_a_check_that_cannot_read_a_value_leaves_the_fields_found_before_it(make_facility):
    # min_age as text fails its comparison; the slug refused before it is the answer, as
    # when the checks stopped at the first refused field
    with pytest.raises(InvalidSupplyError) as err:
        make_facility(id="f 1", min_age="eighteen")
    assert err.value.field == "facility.id"
    assert err.value.others == ()
    with pytest.raises(TypeError):  # and alone it fails as it did
        make_facility(min_age="eighteen")
