"""How regions sort and how ages, children and classes read (issue 17: first impressions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from capacity import REGIONS, complexity_label, dutch_sort_key, sorted_regions
from capacity.criteria.labels import age_range, children


def test_s_hertogenbosch_sorts_under_h_between_helmond_and_hilversum():
    names = [r.name for r in sorted_regions()]
    h = names.index("'s-Hertogenbosch")
    assert names[h - 1] == "Helmond"
    assert names[h + 1] == "Hilversum"
    assert names[0] == "Alkmaar"
    assert len(names) == len(REGIONS)


def test_dutch_sort_key_skips_the_elided_article_accents_and_case():
    assert dutch_sort_key("'s-Hertogenbosch") == "hertogenbosch"
    assert dutch_sort_key("'t Harde") == "harde"
    assert dutch_sort_key("’s-Gravenhage") == "gravenhage"
    assert dutch_sort_key("Ämsterdam") == dutch_sort_key("amsterdam")


@given(st.permutations(REGIONS))
def test_region_order_does_not_depend_on_the_input_order(regions):
    assert sorted_regions(regions) == sorted_regions()


def test_ages_without_an_upper_limit_read_as_and_over():
    assert age_range(18, 120) == "ages 18 and over"
    assert age_range(12, 17) == "ages 12-17"
    assert age_range(0, 17) == "ages up to 17"
    assert age_range(0, 120) == "all ages"


def test_children_agree_in_number():
    assert children(1) == "1 accompanying child"
    assert children(2) == "2 accompanying children"
    assert children(0) == "no accompanying children"


def test_complexity_classes_read_as_in_the_glossary():
    assert complexity_label("highly_complex") == "highly complex"
    assert complexity_label("standard") == "standard"
