"""The current-practice baseline against the figures of ../shared/domain-nl.md (issue 15)."""

from __future__ import annotations

from scenarios import ScenarioResult
from scenarios.kpis import CaseOutcome, outcomes

OWN_REGION = "women's shelter placements in the region signalled (share)"


def womens_shelter_placements(result: ScenarioResult) -> tuple[list[CaseOutcome], dict[str, str]]:
    """The measured cases placed in a women's shelter, and each facility's region."""
    trace = result.trace
    assert trace is not None, "replicate(..., keep_trace=True)"
    kind = {f.id: f.placement_type for f in trace.info.facilities}
    region = {f.id: f.region for f in trace.info.facilities}
    ws = [c for c in outcomes(trace) if c.facility and kind[c.facility] == "womens_shelter"]
    return ws, region


def womens_shelter_own_region(result: ScenarioResult) -> float:
    """Share of the women's-shelter placements in the region where the case was signalled."""
    ws, region = womens_shelter_placements(result)
    return sum(1 for c in ws if region[c.facility or ""] == c.region) / len(ws) if ws else 0.0
