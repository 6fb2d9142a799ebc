"""Scenario runs: the changes asked for, a job with its comparison, and a comparison of
stored runs. Aggregates only, as on the dashboard: counts under 5 read "<5" and the waits
of groups under 5 cases are left out (:mod:`api.web.scenario_report`)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.types import Count, Number


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BedChange(_Strict):
    placement_type: str = Field(description="A placement type (womens_shelter, cosm, ...).")
    region: str = Field(description="A region id (rotterdam, ...).")
    beds: int = Field(description="Beds more (positive) or fewer (negative) from day 0.")


class BudgetChange(_Strict):
    stream: str = Field(description="A capped funding stream of the base scenario.")
    per_year: Number = Field(description="Euros a year more (positive) or less (negative).")


class Changes(_Strict):
    beds: list[BedChange] = Field(default_factory=list, max_length=50)
    budgets: list[BudgetChange] = Field(default_factory=list, max_length=50)


class ScenarioRunCreate(_Strict):
    """The base scenario with ``changes`` from day 0, run against the base unchanged."""

    changes: Changes = Field(default_factory=Changes)
    base: str = Field("national-demo.yaml", description="The example scenario to change.")
    policy: str | None = Field(None, description="Policy of both runs (null: the base's).")
    replications: int = Field(3, ge=1, description="Paired replications (3 or more for intervals).")
    horizon_days: int | None = Field(None, description="Days simulated (null: the base's).")


class ScenarioFile(BaseModel):
    name: str
    yaml: str = Field(description="The scenario file (opvang-scenario/1), to keep or change.")


class KpiRow(BaseModel):
    kpi: str
    values: list[str] = Field(description="One per run, as the dashboard shows them.")


class PairedDifference(BaseModel):
    run: str = Field(description="The run compared with the first.")
    kpi: str
    difference: str = Field(description="Mean of run minus first, with its 95 % interval.")
    pairs: Count


class ComparisonPublic(BaseModel):
    """Runs side by side: warnings first (replications, seeds, horizons, rulebooks that
    differ; too few replications for an interval), the KPIs, the paired differences."""

    runs: list[str] = Field(description="The runs' labels, in the order of the columns.")
    warnings: list[str]
    kpis: list[KpiRow]
    paired: list[PairedDifference] = Field(
        description="Each run minus the first, for runs with its seed, replications and horizon."
    )


class ScenarioRunPublic(BaseModel):
    id: int
    status: str = Field(description="queued, running, done or failed.")
    message: str
    percent: int
    created_at: dt.datetime
    created_by: str
    replications: int
    scenarios: list[ScenarioFile] = Field(description="The base, then the changed scenario.")
    result: ComparisonPublic | None = Field(description="When done.")
    page: str = Field(description="The job's dashboard page.")
