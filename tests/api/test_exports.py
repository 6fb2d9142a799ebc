"""Exports (issue 16): the waiting list, placements and the aggregates as CSV and XLSX,
read back with pandas, equal to the API's JSON; suppression as in the JSON; every case
line of a file audited as a read; roles as for the JSON."""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A JSON record flattened as the files are: {value, suppressed} -> x, x_suppressed."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        column = prefix if name == "value" and prefix else "_".join(p for p in (prefix, name) if p)
        if isinstance(value, dict):
            out |= flat(value, column)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            parts = [flat(v, column) for v in value]  # records: one column per field
            for key in parts[0]:
                out[key] = "; ".join(str(p[key]) for p in parts if p[key] is not None) or None
        elif isinstance(value, list):
            out[column] = "; ".join(str(v) for v in value) or None
        else:
            out[column] = value
    return out


def filled(record: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """A flattened record with the columns of a missing nested record (null in the JSON,
    empty cells in the file) filled in as empty."""
    out = dict(record)
    for column in columns:
        if column in out:
            continue
        assert any(record[p] is None and column.startswith(p + "_") for p in record), column
        out[column] = None
    return {c: out[c] for c in columns}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_csv(content: bytes) -> list[dict[str, str]]:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.to_dict(orient="records")


def from_xlsx(content: bytes) -> list[dict[str, Any]]:
    frame = pd.read_excel(io.BytesIO(content), dtype=object)

    def cell(value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, datetime):
            return value.date().isoformat()  # a date cell
        if isinstance(value, date):
            return value.isoformat()
        return value

    return [{k: cell(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def same_as_json(
    rows_json: list[dict[str, Any]], fmt: str, content: bytes, *, skip: str = ""
) -> None:
    """The file's rows equal the JSON's (``skip``: a column that differs between two calls,
    the moment of the answer)."""
    rows = from_csv(content) if fmt == "csv" else from_xlsx(content)
    columns = list(rows[0]) if rows else []
    expected = [{k: v for k, v in filled(flat(r), columns).items() if k != skip} for r in rows_json]
    if fmt == "csv":
        got_csv = [{k: v for k, v in r.items() if k != skip} for r in rows]
        assert got_csv == [{k: as_text(v) for k, v in r.items()} for r in expected]
    else:
        got = [{k: v for k, v in r.items() if k != skip} for r in rows]
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert g.keys() == e.keys()
            for k in e:
                if isinstance(e[k], float):
                    assert g[k] == pytest.approx(e[k]), k
                elif e[k] == "":  # an empty text is an empty cell in XLSX
                    assert g[k] in (None, ""), k
                else:
                    assert g[k] == e[k], k


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_waiting_list_file_equals_the_json(client, world, fmt, helpers):
    auth = world.auth("coordinator")
    json_rows = client.get("/v1/cases?status=waiting&limit=1000", headers=auth).json()["data"]
    assert len(json_rows) == 4
    without = [r for r in json_rows if r["proposal_id"] is None]  # a proposal is not a wait
    assert without
    assert all(r["waiting_reason"]["kind"] for r in without)
    answer = client.get(f"/v1/cases?status=waiting&format={fmt}", headers=auth)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(CSV if fmt == "csv" else XLSX)
    assert f'filename="waiting-list.{fmt}"' in answer.headers["content-disposition"]
    same_as_json(json_rows, fmt, answer.content)


def test_accept_text_csv_asks_for_a_file_and_the_file_is_audited(client, world):
    auth = world.auth("coordinator")
    before = client.get("/v1/audit?limit=1000", headers=world.auth("admin")).json()["count"]
    answer = client.get("/v1/cases?status=waiting", headers={**auth, "Accept": CSV})
    assert answer.headers["content-type"].startswith(CSV)
    lines = client.get("/v1/audit?limit=1000", headers=world.auth("admin")).json()
    reads = [e for e in lines["data"][before:] if e["action"] == "case.list"]
    assert len(reads) == 4  # one per case in the file


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_placements_file_equals_the_json(client, world, fmt):
    auth = world.auth("coordinator")
    json_rows = client.get("/v1/placements", headers=auth).json()["data"]
    answer = client.get(f"/v1/placements?format={fmt}", headers=auth)
    if fmt == "xlsx":  # a moment is written as ISO text with its zone
        for r in json_rows:
            r["recorded_at"] = (
                r["recorded_at"]
                and datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00")).isoformat()
            )
    else:
        for r in json_rows:
            r["recorded_at"] = (
                r["recorded_at"]
                and datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00")).isoformat()
            )
    same_as_json(json_rows, fmt, answer.content)


def _moment(text: str) -> str:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_aggregates_files_equal_the_json_with_suppression(client, world, fmt):
    auth = world.auth("policymaker")
    stats = client.get("/v1/stats/waiting", headers=auth).json()
    expected = [
        {
            "as_of": stats["as_of"],
            "table": "all",
            "key": "all",
            "cases": stats["cases"],
            "mean_days": None,
        }
    ]
    for table, name in (
        ("complexity", "by_complexity"),
        ("region", "by_region"),
        ("exploitation_type", "by_exploitation_type"),
        ("residence_status", "by_residence_status"),
        ("age_band", "by_age_band"),
    ):
        expected += [{"as_of": stats["as_of"], "table": table, **g} for g in stats[name]]
    answer = client.get(f"/v1/stats/waiting?format={fmt}", headers=auth)
    same_as_json(expected, fmt, answer.content, skip="as_of")
    assert stats["cases"]["suppressed"] is True  # 4 cases: the test means something
    first = (from_csv if fmt == "csv" else from_xlsx)(answer.content)[0]
    assert first["cases"] in ("", None)

    occupancy = client.get("/v1/stats/occupancy", headers=auth).json()
    expected = [
        {"as_of": _moment(occupancy["as_of"]), "table": table, **g}
        for table, name in (("placement_type", "by_placement_type"), ("region", "by_region"))
        for g in occupancy[name]
    ]
    answer = client.get(f"/v1/stats/occupancy?format={fmt}", headers=auth)
    same_as_json(expected, fmt, answer.content, skip="as_of")

    gaps = client.get("/v1/stats/capacity-gaps", headers=auth).json()
    expected = [{"as_of": _moment(gaps["as_of"]), "rule": "all", "cases": gaps["cases"]}]
    expected += [{"as_of": _moment(gaps["as_of"]), **g} for g in gaps["by_rule"]]
    answer = client.get(f"/v1/stats/capacity-gaps?format={fmt}", headers=auth)
    same_as_json(expected, fmt, answer.content, skip="as_of")


def test_a_policymaker_gets_no_case_file_and_a_bad_format_is_a_422(client, world):
    assert client.get("/v1/cases?format=csv", headers=world.auth("policymaker")).status_code == 403
    bad = client.get("/v1/placements?format=pdf", headers=world.auth("coordinator"))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "format"]
