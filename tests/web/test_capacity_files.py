"""Every table and chart of the capacity and bed-value pages can be downloaded (issue 15):
each table's figures as CSV/XLSX, the map as a PNG, supply as it is and counts of cases
as published."""

from __future__ import annotations

import io
import re

import pandas as pd


def _files(html: str) -> set[str]:
    return set(re.findall(r'href="(/(?:exports|capacity)/[^"]+\.(?:csv|xlsx|png))"', html))


def test_every_table_and_the_map_of_the_capacity_page_has_its_file(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/capacity")
    files = _files(page.text)
    sections = page.text.count('<section class="card')  # the map, four tables
    assert page.text.count('<p class="downloads">') == sections == 5
    for name in ("occupancy", "capacity-regions", "occupancy-type-region", "capacity-gaps"):
        assert f"/exports/{name}.csv" in files, name
    assert "/capacity/map.png" in files
    for link in sorted(files):
        assert quick_client.get(link).status_code == 200, link
    png = quick_client.get("/capacity/map.png")
    assert (png.headers["content-type"], png.content[:4]) == ("image/png", b"\x89PNG")


def test_the_region_file_holds_the_pages_figures(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    regions = pd.read_csv(io.BytesIO(quick_client.get("/exports/capacity-regions.csv").content))
    assert len(regions) == 35
    amsterdam = regions.set_index("region_id").loc["amsterdam"]
    assert (amsterdam["facilities"], amsterdam["beds"]) == (1, 4)  # supply: as it is
    assert bool(amsterdam["cases_waiting_suppressed"]) is True  # 4 waiting: suppressed
    assert pd.isna(amsterdam["cases_waiting"])
    by_type = pd.read_csv(
        io.BytesIO(quick_client.get("/exports/occupancy-type-region.csv").content)
    )
    assert set(zip(by_type["region_id"], by_type["placement_type"], strict=True)) == {
        ("amsterdam", "womens_shelter"),
        ("leeuwarden", "cosm"),
    }


def test_the_bed_value_table_has_its_file(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/bed-values")
    values = quick_client.get("/exports/bed-values.csv")
    assert values.status_code == 200
    frame = pd.read_csv(io.BytesIO(values.content))
    assert list(frame.columns) == ["placement_type", "region_id", "facility_id", "value"]
    if "<table" in page.text:
        assert 'href="/exports/bed-values.csv"' in page.text
        assert len(frame) == page.text.count("<tr>") - 1


def test_others_cannot_download_the_map(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    assert quick_client.get("/capacity/map.png").status_code == 403
    assert quick_client.get("/exports/capacity-regions.csv").status_code == 403
