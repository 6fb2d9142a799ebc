"""store.service: the tables of the service itself, not of the domain (issue 12).

Users and their bearer tokens, dashboard sessions, the first answers to idempotent
requests, and the dashboard's scenario jobs. The domain's repositories (:mod:`store`)
never use these; the API does.
"""

from store.service.idempotency import StoredAnswer, forget_expired, store_answer, stored_answer
from store.service.scenario_jobs import (
    JobStatus,
    ScenarioJobRepository,
    ScenarioSource,
    StoredScenarioJob,
)
from store.service.scheduler import FAILED, Lease, SchedulerRepository
from store.service.sessions import SessionRepository, StoredSession
from store.service.users import StoredUser, UserRepository, stored_user

__all__ = [
    "FAILED",
    "JobStatus",
    "Lease",
    "ScenarioJobRepository",
    "ScenarioSource",
    "SchedulerRepository",
    "SessionRepository",
    "StoredAnswer",
    "StoredScenarioJob",
    "StoredSession",
    "StoredUser",
    "UserRepository",
    "forget_expired",
    "store_answer",
    "stored_answer",
    "stored_user",
]
