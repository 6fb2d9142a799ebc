"""The pathway on the case page (issue 14): bridge beds and the residential placement."""

from __future__ import annotations


def test_the_case_page_shows_the_pathway_of_a_placed_case(client, web):
    web.sign_in(client, "coordinator")
    page = client.get("/cases/C-2026-0005").text  # placed at ws-amsterdam
    assert 'id="pathway"' in page
    assert "Placement: <strong>" in page
    assert "Residential placement: sought" not in page
