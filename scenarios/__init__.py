"""scenarios: policy simulation of placements over time (issue 5).

A scenario file (``docs/scenarios.md``) describes supply, demand, a rulebook and a policy;
:func:`run_scenario` simulates its replications (in-process or on Dask) and returns KPIs
with 95 % confidence intervals; :func:`write_run` and :func:`compare_runs` turn results
into JSON, CSV, PNG plots and self-contained HTML reports.
"""

from scenarios.aggregate import Series, aggregate, confidence_interval, series
from scenarios.compare import compare_plots, compare_runs, read_run, small_groups
from scenarios.distributed import check_scheduler_address, dask_client
from scenarios.engine import replication_seed, run_replication
from scenarios.errors import (
    InvalidPlanError,
    InvalidScenarioError,
    InvalidVariantError,
    ScenarioError,
    ScenarioRunError,
)
from scenarios.events import (
    Arrived,
    BedKept,
    BedsChanged,
    BudgetChanged,
    Discharged,
    Event,
    Placed,
    RoundHeld,
    RunInfo,
    Trace,
)
from scenarios.kpis import COMPLEX_CASES, replication_kpis
from scenarios.loading import Scenario, load_scenario, parse_scenario
from scenarios.outputs import RunFiles, check_folder, headline, write_run
from scenarios.planner import (
    Addition,
    BedPlan,
    Candidates,
    PlanMethod,
    candidates,
    check_request,
    plan_beds,
    with_beds,
)
from scenarios.runner import (
    NoProgress,
    Progress,
    ReplicationResult,
    ScenarioResult,
    replicate,
    run_scenario,
    run_scenarios,
)
from scenarios.spec import Cadence, Policy, ScenarioSpec
from scenarios.variant import BedDelta, BudgetDelta, Variant, check_variant, variant_texts

EXAMPLES_DIR = __import__("pathlib").Path(__file__).parent / "examples"

__all__ = [
    "COMPLEX_CASES",
    "EXAMPLES_DIR",
    "Addition",
    "Arrived",
    "BedDelta",
    "BedKept",
    "BedPlan",
    "BedsChanged",
    "BudgetChanged",
    "BudgetDelta",
    "Cadence",
    "Candidates",
    "Discharged",
    "Event",
    "InvalidPlanError",
    "InvalidScenarioError",
    "InvalidVariantError",
    "NoProgress",
    "Placed",
    "PlanMethod",
    "Policy",
    "Progress",
    "ReplicationResult",
    "RoundHeld",
    "RunFiles",
    "RunInfo",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "ScenarioRunError",
    "ScenarioSpec",
    "Series",
    "Trace",
    "Variant",
    "aggregate",
    "candidates",
    "check_folder",
    "check_request",
    "check_scheduler_address",
    "check_variant",
    "compare_plots",
    "compare_runs",
    "confidence_interval",
    "dask_client",
    "headline",
    "load_scenario",
    "parse_scenario",
    "plan_beds",
    "read_run",
    "replicate",
    "replication_kpis",
    "replication_seed",
    "run_replication",
    "run_scenario",
    "run_scenarios",
    "series",
    "small_groups",
    "variant_texts",
    "with_beds",
    "write_run",
]
