"""Regions are listed in Dutch alphabetical order everywhere (issue 17): 's-Hertogenbosch
under H, not first."""

from __future__ import annotations


def _h_position(names: list[str]) -> None:
    h = names.index("'s-Hertogenbosch")
    assert names[h - 1] == "Helmond"
    assert names[h + 1] == "Hilversum"


def test_the_regions_endpoint_lists_regions_in_dutch_order(client, world):
    body = client.get("/v1/regions", headers=world.auth("policymaker")).json()
    _h_position([r["name"] for r in body["data"]])


def test_waiting_statistics_list_regions_in_dutch_order(client, world):
    body = client.get("/v1/stats/waiting", headers=world.auth("policymaker")).json()
    ids = [row["key"] for row in body["by_region"]]
    assert ids.index("s-hertogenbosch") == ids.index("helmond") + 1
