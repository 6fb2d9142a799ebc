"""A small national picture behind the API, users of every role, and clients.

``small world`` (:func:`seed`): two providers, two facilities, five cases, one placement,
one matching run with two pending proposals, so every endpoint has something to act on:

- ``ws-amsterdam``: women's shelter of HVO-Querido in Amsterdam, 4 beds, 1 taken by a
  placement, last report 2 free an hour ago;
- ``cosm-leeuwarden``: COSM of Fier in Leeuwarden, 6 beds, never reported;
- cases ``C-2026-0001`` .. ``0004`` waiting (adult women, EU), ``C-2026-0005`` placed;
  run 1 proposes ``0001`` and ``0002`` at ``ws-amsterdam`` from today.

Users: ``admin``, ``coordinator``, ``policymaker``, ``reporter-hvo`` (provider
HVO-Querido: owns ws-amsterdam), ``reporter-fier`` (provider Fier), ``reporter-amsterdam``
(region Amsterdam).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.tokens import hash_token, new_token
from api.settings import ApiSettings
from capacity.clock import local_date
from store import (
    DecisionRepository,
    ProposalDraft,
    Repository,
    RunRecord,
    StageRecord,
    WaitRecord,
    ensure_database,
    session_scope,
)
from store.service import UserRepository
from tests.seed_world import OTHER_FACILITY, OWN_FACILITY, small_dataset, woman

USERS = {
    "admin": ("admin", None, None),
    "coordinator": ("intake_coordinator", None, None),
    "policymaker": ("policymaker", None, None),
    "reporter-hvo": ("region_reporter", "hvo-querido", None),
    "reporter-fier": ("region_reporter", "fier", None),
    "reporter-amsterdam": ("region_reporter", None, "amsterdam"),
}


@dataclass(frozen=True)
class World:
    """What :func:`seed` stored: tokens by user name, and the run and proposals."""

    url: str
    tokens: dict[str, str]
    run_id: int
    proposal_ids: tuple[int, ...]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def add_run(
    url: str,
    drafts: list[ProposalDraft],
    *,
    as_of: datetime,
    waits: tuple[WaitRecord, ...] = (),
    case_ids: list[str] | None = None,
    stages: tuple[StageRecord, ...] = (),
) -> tuple[int, tuple[int, ...]]:
    """Store a run with these proposals (no solver: the tests decide what is proposed).

    ``waits`` as a run stores them (see :func:`wait`); ``case_ids``: the cases the run
    considered (default: those of the drafts).
    """
    engine = ensure_database(url)
    try:
        with session_scope(engine, immediate=True) as session:
            record = RunRecord(
                created_by="seed",
                as_of=as_of,
                inputs_hash="0" * 64,
                rulebook_version="national-v1",
                rulebook_hash="0" * 64,
                parameters={"time_limit": 1.0, "seed": 0},
                status="optimal",
                objective=0.0,
                bound=0.0,
                gap=0.0,
                method="seed",
                build_seconds=0.0,
                solve_seconds=0.0,
                cases=len(drafts),
                waits=waits,
                stages=stages,
            )
            considered = [d.case_id for d in drafts] if case_ids is None else case_ids
            run, proposals = DecisionRepository(session).add_run(
                record, drafts, case_ids=considered
            )
            return run.id, tuple(p.id for p in proposals)
    finally:
        engine.dispose()


def wait(case_id: str, start: date | None, *, capacity_gap: bool = False) -> WaitRecord:
    """Why a case waits, as a run stores it (``start``: None when unplaced in the horizon)."""
    return WaitRecord(
        case_id=case_id,
        start_date=start,
        text="Every eligible facility is full." if start is None else "Full until then.",
        capacity_gap=capacity_gap,
    )


def add_users(url: str) -> dict[str, str]:
    """Store the users of :data:`USERS`, each with a fresh token; returns the tokens."""
    engine = ensure_database(url)
    tokens = {}
    try:
        with session_scope(engine, immediate=True) as session:
            users = UserRepository(session)
            for name, (role, provider, region) in USERS.items():
                user = users.add_user(name=name, role=role, provider_id=provider, region_id=region)
                tokens[name] = new_token()
                users.add_token(user_id=user.id, token_hash=hash_token(tokens[name]))
    finally:
        engine.dispose()
    return tokens


def seed(url: str) -> World:
    """The small world (see the module docstring) in an empty database."""
    now = datetime.now(UTC)
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(small_dataset(now))
    finally:
        engine.dispose()
    tokens = add_users(url)
    today = local_date(now)
    drafts = [
        ProposalDraft(case_id, OWN_FACILITY, 1, today, "Meets: all criteria.", ("admits women",))
        for case_id in ("C-2026-0001", "C-2026-0002")
    ]
    run_id, proposal_ids = add_run(url, drafts, as_of=now)
    return World(url, tokens, run_id, proposal_ids)


def client_for(url: str, **settings: object) -> TestClient:
    """A test client on the app for this database (use it as a context manager)."""
    return TestClient(create_app(ApiSettings(database_url=url, **settings)))


def copy_of(world: World, target: Path) -> World:
    """The same world in another SQLite file."""
    shutil.copyfile(Path(world.url.removeprefix("sqlite:///")), target)
    return World(f"sqlite:///{target}", world.tokens, world.run_id, world.proposal_ids)


START_TIMEOUT_S = 30.0  # seconds a server subprocess may take to start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``uvicorn`` process and its base URL."""

    base: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_server(
    url: str,
    *,
    workers: int = 1,
    output: list[str] | None = None,
    start_timeout: float = START_TIMEOUT_S,
) -> Iterator[Server]:
    """``uvicorn`` serving the API on this database; yields it with its base URL.

    With ``workers`` above 1, uvicorn runs that many worker processes on one socket (and
    logs at level info, so that ``output``, given, receives the log of their start).
    """
    port = free_port()
    env = {**os.environ, "OPVANG_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:app_factory",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning" if workers == 1 else "info",
    ]
    if workers > 1:
        # a worker imports the solver stack before it answers; on a busy machine that takes
        # longer than uvicorn's 5 s health check, which restarts it in a loop (as serve.py)
        command += ["--workers", str(workers), "--timeout-worker-healthcheck", "60"]
    # its own process group: the workers (and their children) go with it, even when the
    # parent has died or is killed first (killing the parent alone left workers serving)
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                _kill_group(server)  # its workers hold the pipe open: reading first would hang
                pytest.fail("server did not start")
            time.sleep(0.1)
        yield Server(base, server)
    finally:
        if server.poll() is None:
            server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        _kill_group(server)  # whatever of the group is left: workers of a dead parent
        if output is not None and server.stdout is not None:
            output.append(server.stdout.read().decode())


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill every process of ``process``'s group and reap the leader."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def helpers() -> SimpleNamespace:
    """The module's helpers for test files (test files are not a package, so no imports)."""
    return SimpleNamespace(
        seed=seed,
        add_run=add_run,
        wait=wait,
        add_users=add_users,
        woman=woman,
        client_for=client_for,
        copy_of=copy_of,
        small_dataset=small_dataset,
        running_server=running_server,
        USERS=USERS,
        OWN_FACILITY=OWN_FACILITY,
        OTHER_FACILITY=OTHER_FACILITY,
    )


@pytest.fixture
def world(database_url: str, template_world: World) -> World:
    """The small world on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    if database_url.startswith("sqlite:///"):  # a copy of the template is much faster
        target = Path(database_url.removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        return copy_of(template_world, target)
    return seed(database_url)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with client_for(world.url) as c:
        yield c


@pytest.fixture(scope="session")
def template_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The small world in an SQLite file, made once; copy it with :func:`fresh_world`."""
    path = tmp_path_factory.mktemp("template") / "opvang.db"
    return seed(f"sqlite:///{path}")


@pytest.fixture
def fresh_world(template_world: World, tmp_path: Path) -> World:
    """A private copy of the template world (SQLite): cheap, for tests that change it."""
    return copy_of(template_world, tmp_path / "opvang.db")
