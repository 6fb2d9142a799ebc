"""The server under test: a fresh SQLite database with the demo supply, and uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx

from api.auth.tokens import hash_token, new_token
from capacity import Facility
from capacity.demo import DEMO_SEED, build_demo_dataset
from capacity.persistence import Repository, UserRepository, ensure_database, session_scope

START_TIMEOUT_S = 60.0


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux ``/proc``)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(url: str, port: int, *, extra_env: dict[str, str] | None = None) -> Iterator[int]:
    """``uvicorn`` with one worker on 127.0.0.1, in its own process; yields its pid."""
    env = {**os.environ, "OPVANG_DATABASE_URL": url, **(extra_env or {})}
    command = [
        sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
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
