"""The waiting statistics page (issue 15, equity): the figures of ``/v1/stats/waiting`` by
class, region, exploitation type, residence status and age band, each table with its
file, counts of cases as published."""

from __future__ import annotations

import io
import re

import pandas as pd

TABLES = ("complexity", "region", "exploitation_type", "residence_status", "age_band")


def test_every_table_of_the_waiting_statistics_has_its_file(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/waiting-stats")
    assert page.status_code == 200
    assert 'href="/waiting-stats"' in page.text  # in the navigation
    assert page.text.count("<table") == page.text.count('<p class="downloads">') == 5
    # the small world: 4 cases waiting, signalled in Amsterdam: suppressed, no mean
    assert "suppressed" in page.text
    assert "Amsterdam" in page.text
    assert "C-2026" not in page.text  # aggregates only
    whole = pd.read_csv(io.BytesIO(quick_client.get("/exports/waiting-stats.csv").content))
    for table in TABLES:
        assert f'href="/exports/waiting-stats-{table}.csv"' in page.text, table
        answer = quick_client.get(f"/exports/waiting-stats-{table}.csv")
        assert answer.status_code == 200, table
        part = pd.read_csv(io.BytesIO(answer.content))
        assert set(part["table"]) == {table}
        expected = whole[whole["table"] == table].reset_index(drop=True)
        pd.testing.assert_frame_equal(  # the same rows (read a moment apart: not as_of)
            part.drop(columns="as_of"), expected.drop(columns="as_of"), check_dtype=False
        )
    assert len(re.findall(r"<tr>", page.text)) == 5 + 3 + 35 + 4 + 5 + 5  # heads + groups


def test_only_policymakers_read_the_waiting_statistics(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    assert quick_client.get("/exports/waiting-stats-people.csv").status_code == 404
    web.sign_in(quick_client, "coordinator")
    assert quick_client.get("/waiting-stats").status_code == 403
    assert quick_client.get("/exports/waiting-stats-region.csv").status_code == 403
