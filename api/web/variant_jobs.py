"""Scenario jobs of changes made without YAML (issue 15): the form and ``/v1/scenario-runs``.

A :class:`scenarios.Variant` (beds per type and region, budgets per funding stream, policy,
horizon) on an example file becomes two generated scenario files
(:func:`scenarios.variant_texts`): the base, unchanged, and the base with the changes. They
are stored as the job's sources, so the job runs, shows and compares like any other, and
its page offers both files to view and download.
"""

from __future__ import annotations

import functools
from datetime import datetime

import yaml

from api.database import Database
from api.web import scenario_jobs as jobs
from api.web.settings import WebSettings
from scenarios import EXAMPLES_DIR, Scenario, Variant, variant_texts
from store.service import ScenarioSource, StoredScenarioJob, StoredUser

DEFAULT_BASE = "national-demo.yaml"


@functools.lru_cache(maxsize=len(jobs.EXAMPLES) or 1)
def base_scenario(name: str) -> Scenario:
    """An example, loaded once per process (read only: the changes are new files).

    Raises
    ------
    InvalidScenarioError
        When ``name`` is not an example.
    """
    return jobs.scenario(jobs.example(name), replications=1)


def sources(base: str, variant: Variant) -> list[ScenarioSource]:
    """The job's two files: the base under the variant's policy and horizon, then changed.

    Raises
    ------
    InvalidScenarioError
        When ``base`` is not an example.
    InvalidVariantError
        Naming the field of a change that cannot apply.
    """
    texts = variant_texts(base_scenario(base), base, variant, base_dir=EXAMPLES_DIR)
    return [ScenarioSource(f"{yaml.safe_load(t)['name']}.yaml", t) for t in texts]


def create(
    db: Database,
    *,
    user: StoredUser,
    base: str,
    variant: Variant,
    replications: int,
    settings: WebSettings | None = None,
    now: datetime | None = None,
) -> StoredScenarioJob:
    """Store a queued job of the variant against its base (start it with ``jobs.launch``).

    Raises
    ------
    InvalidScenarioError, InvalidVariantError
        As :func:`sources`.
    TooManyJobsError
        As :func:`api.web.scenario_jobs.create`.
    """
    files = sources(base, variant)
    return jobs.create(
        db, user=user, sources=files, replications=replications, settings=settings, now=now
    )
