"""flows: the use cases (issue 12), between the store and the API.

One place owns what a matching round is (:func:`prepare_round`), how a run is solved and
stored, the waiting list and its order, and each decision that moves a case through its
lifecycle (:mod:`capacity.lifecycle`). A flow takes a unit of work (a SQLAlchemy session:
its caller owns the transaction), works on value objects and returns them; it raises
domain errors (:mod:`capacity`) or its own (:mod:`flows.errors`), never HTTP ones. The API,
the CLI and the dashboard call the flows; the flows never call them.
"""

from flows import waiting_words
from flows.anticipation import AnticipationSettings, LiveForecast, read_forecast
from flows.bed_values import (
    DEFAULT_BED_VALUE_SECONDS,
    MAX_BED_VALUE_SECONDS,
    BedValueReport,
    extra_bed_values,
)
from flows.cases import register, withdraw
from flows.deadlines import (
    DEFAULT_REMIND_WITHIN,
    DEFAULT_RESPOND_WITHIN,
    due_soon,
    is_overdue,
    lapse_overdue,
    recently_lapsed,
)
from flows.decisions import DeclineReason, accept, decline
from flows.errors import ConflictError, FlowError, InvalidInputError
from flows.escalations import Escalation, escalations
from flows.forecast import demand_forecast
from flows.keep_apart import keep_apart, kept_apart_from, lift_keep_apart
from flows.matching_run import SolvedRound, solve_round, store_run
from flows.placements import discharge
from flows.planning import RoundPlan, plan_round
from flows.retention import (
    RetentionPolicy,
    RetentionReport,
    RetentionSettings,
    apply_retention,
)
from flows.round import RoundInputs, prepare_round
from flows.round_export import ExportedRound, export_round
from flows.timeline import TimelineEvent, case_timeline
from flows.trends import (
    MAX_WINDOW_DAYS,
    PeriodFigures,
    TrendPeriod,
    Trends,
    TrendWindow,
    read_trends,
    trend_window,
)
from flows.waiting_list import (
    ExpectedStart,
    ExpectedStartBasis,
    Page,
    WaitingLine,
    WaitingOrder,
    cases_by_priority,
    expected_starts,
    line,
    pending_proposals,
    waiting_states,
)
from flows.waiting_reason import (
    Change,
    ChangeKind,
    FacilityRef,
    NextBest,
    RunWaits,
    WaitingReason,
    WaitKind,
    binding,
    reason_of,
    run_waits,
)

__all__ = [
    "DEFAULT_BED_VALUE_SECONDS",
    "DEFAULT_REMIND_WITHIN",
    "DEFAULT_RESPOND_WITHIN",
    "MAX_BED_VALUE_SECONDS",
    "MAX_WINDOW_DAYS",
    "AnticipationSettings",
    "BedValueReport",
    "Change",
    "ChangeKind",
    "ConflictError",
    "DeclineReason",
    "Escalation",
    "ExpectedStart",
    "ExpectedStartBasis",
    "ExportedRound",
    "FacilityRef",
    "FlowError",
    "InvalidInputError",
    "LiveForecast",
    "NextBest",
    "Page",
    "PeriodFigures",
    "RetentionPolicy",
    "RetentionReport",
    "RetentionSettings",
    "RoundInputs",
    "RoundPlan",
    "RunWaits",
    "SolvedRound",
    "TimelineEvent",
    "TrendPeriod",
    "TrendWindow",
    "Trends",
    "WaitKind",
    "WaitingLine",
    "WaitingOrder",
    "WaitingReason",
    "accept",
    "apply_retention",
    "binding",
    "case_timeline",
    "cases_by_priority",
    "decline",
    "demand_forecast",
    "discharge",
    "due_soon",
    "escalations",
    "expected_starts",
    "export_round",
    "extra_bed_values",
    "is_overdue",
    "keep_apart",
    "kept_apart_from",
    "lapse_overdue",
    "lift_keep_apart",
    "line",
    "pending_proposals",
    "plan_round",
    "prepare_round",
    "read_forecast",
    "read_trends",
    "reason_of",
    "recently_lapsed",
    "register",
    "run_waits",
    "solve_round",
    "store_run",
    "trend_window",
    "waiting_states",
    "waiting_words",
    "withdraw",
]
