"""The server under test: a fresh database with the demo supply, and uvicorn.

SQLite: a file in a temporary folder. PostgreSQL: a database of its own on the server
named by ``--pg-url`` (``opvang_bench_<random>``), created before the run and dropped after
it, so a benchmark never touches another database's rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO

import httpx
import psycopg
from sqlalchemy.engine import make_url

from api.auth.tokens import hash_token, new_token
from capacity import Facility
from capacity.demo import DEMO_SEED, build_demo_dataset
from store import Repository, ensure_database, session_scope
from store.service import UserRepository

START_TIMEOUT_S = 60.0
WORKER_HEALTHCHECK_S = 60  # a worker imports the solver stack before it answers


def prepare(url: str) -> tuple[str, list[Facility]]:
    """Load the demo dataset and an admin; returns the admin's token and the facilities."""
    engine = ensure_database(url)
    token = new_token()
    try:
        with session_scope(engine, immediate=True) as session:
            repo = Repository(session)
            repo.save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=datetime.now(UTC)))
            users = UserRepository(session)
            user = users.add_user(name="bench-feed", role="admin")
            users.add_token(user_id=user.id, token_hash=hash_token(token))
            facilities = repo.facilities()
    finally:
        engine.dispose()
    return token, facilities


def _libpq(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    parsed = make_url(url)
    return psycopg.conninfo.make_conninfo(
        host=parsed.host or "", port=parsed.port or "", user=parsed.username or "",
        password=parsed.password or "", dbname=parsed.database or "",
    )  # fmt: skip


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``base_url``; dropped afterwards.

    Yields the SQLAlchemy URL of the new database.
    """
    name = f"opvang_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(base_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _own_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            continue
    return out


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process and its live descendants have used (Linux
    ``/proc``): with ``--workers`` above 1, uvicorn's workers are children of ``pid``."""
    return _own_cpu(pid) + sum(cpu_seconds(child) for child in _children(pid))


def database_cpu(url: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving ``url``'s database
    (read from ``/proc``: the server runs on this machine)."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return {int(pid): _own_cpu(int(pid)) for (pid,) in rows}


def _count_started(stream: IO[bytes], started: list[int]) -> None:
    """Count the workers that logged their start; drain the log so the pipe never fills."""
    for line in stream:
        if b"Application startup complete" in line:
            started[0] += 1


@contextmanager
def server(
    url: str, port: int, *, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[int]:
    """``uvicorn`` with ``workers`` worker processes on 127.0.0.1; yields its pid once
    every worker serves (a worker that starts late would find every keep-alive
    connection taken by the first)."""
    env = {**os.environ, "OPVANG_DATABASE_URL": url, **(extra_env or {})}
    command = [
        sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--timeout-worker-healthcheck", str(WORKER_HEALTHCHECK_S),
        "--no-access-log", "--log-level", "info",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    started = [0]
    assert process.stderr is not None
    reader = threading.Thread(target=_count_started, args=(process.stderr, started), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while started[0] < workers or not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
