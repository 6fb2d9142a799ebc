"""``python -m benchmarks.api``: availability reports per second against GET /healthz.

uvicorn (``--workers``, default 1) on a fresh database with the demo supply (75
facilities): an SQLite file, or with ``--database postgresql`` a database of its own on the
server of ``--pg-url``, created for the run and dropped after it. The load comes from this
process over loopback. Phases: warm-up, ``GET /healthz``, then
``PUT /v1/facilities/{id}/availability`` (a valid report with its own Idempotency-Key,
round-robin over the facilities), each bounded by time and by a request budget. Goals:
at least 1,000 reports/s and at least 15 % of the health endpoint's throughput; p99 under
50 ms at 32 connections on SQLite with one worker (issue 4), under 100 ms on PostgreSQL
with two workers (issue 10).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.api.load import Tally, request, run_phase
from benchmarks.api.target import (
    cpu_seconds,
    database_cpu,
    free_port,
    postgres_database,
    prepare,
    server,
)

GOAL_REPORTS_PER_S = 1000.0
GOAL_SHARE_OF_HEALTH = 0.15
GOAL_P99_MS = {"sqlite": 50.0, "postgresql": 100.0}
DEFAULT_PG_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="a PostgreSQL server where a database may be made"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase")
    parser.add_argument("--synchronous", choices=["NORMAL", "FULL"], default="NORMAL")
    parser.add_argument(
        "--no-inline",
        action="store_true",
        help="reports and token look-ups via the SQLAlchemy pool in threads (both databases)",
    )
    parser.add_argument(
        "--pg-connections",
        type=int,
        help="asynchronous PostgreSQL connections per worker (OPVANG_ASYNC_POSTGRES_CONNECTIONS)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here as well")
    return parser.parse_args()


def _summary(name: str, tally: Tally) -> dict[str, Any]:
    return {
        "phase": name,
        "requests": len(tally.latencies),
        "seconds": round(tally.elapsed, 2),
        "per_second": round(tally.throughput, 1),
        "p50_ms": round(tally.percentile(0.50), 2),
        "p99_ms": round(tally.percentile(0.99), 2),
        "max_ms": round(tally.percentile(1.0), 2),
        "statuses": tally.statuses,
        "server_cpu_ms_per_request": round(tally.cpu_ms_per_request, 3),
        "server_cpu_bound_per_second": round(1000.0 / tally.cpu_ms_per_request, 1)
        if tally.cpu_ms_per_request
        else None,
        "database_cpu_ms_per_request": None
        if (db_ms := tally.database_cpu_ms_per_request) is None
        else round(db_ms, 3),
    }


async def _measured(pid: int, phase: Any, database_url: str | None) -> Tally:
    """Run a phase; the server's CPU and (PostgreSQL) its backends' CPU during it."""
    before = cpu_seconds(pid)
    backends = database_cpu(database_url) if database_url else {}
    tally: Tally = await phase
    tally.server_cpu = cpu_seconds(pid) - before
    if database_url:
        after = database_cpu(database_url)  # a backend started during the phase counts whole
        tally.database_cpu = sum(cpu - backends.get(pid, 0.0) for pid, cpu in after.items())
    return tally


async def _measure(
    args: argparse.Namespace,
    port: int,
    pid: int,
    token: str,
    facilities: list[Any],
    database_url: str | None,
) -> list[dict[str, Any]]:
    auth = {"Authorization": f"Bearer {token}"}
    health = request("GET", "/healthz", headers={})

    def _health(_conn: int, _n: int) -> bytes:
        return health

    as_of = datetime.now(UTC).replace(microsecond=0).isoformat()  # equal times are not older
    rng = random.Random(2026)
    bodies = [
        (f.id, json.dumps({"beds_free": rng.randint(0, f.beds), "as_of": as_of}).encode())
        for f in facilities
    ]

    def report(conn: int, n: int) -> bytes:
        fid, body = bodies[(conn * 7919 + n) % len(bodies)]
        headers = {**auth, "Idempotency-Key": f"bench-{conn}-{n}"}
        return request("PUT", f"/v1/facilities/{fid}/availability", headers=headers, body=body)

    def report_warm(conn: int, n: int) -> bytes:
        return report(conn + 10_000, n)

    limits = {"connections": args.connections, "max_requests": args.max_requests}
    await run_phase(port, _health, seconds=args.warmup, **limits)
    await run_phase(port, report_warm, seconds=args.warmup, **limits)
    out = [
        _summary(
            "GET /healthz",
            await _measured(
                pid, run_phase(port, _health, seconds=args.seconds, **limits), database_url
            ),
        )
    ]
    out.append(
        _summary(
            "PUT availability",
            await _measured(
                pid, run_phase(port, report, seconds=args.seconds, **limits), database_url
            ),
        )
    )
    return out


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    """A fresh database for the run: an SQLite file, or a PostgreSQL database of its own."""
    if args.database == "postgresql":
        with postgres_database(args.pg_url) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="opvang-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'opvang.db'}"


def _server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        "OPVANG_SQLITE_SYNCHRONOUS": args.synchronous,
        "OPVANG_INLINE_SQLITE_WRITES": "false" if args.no_inline else "true",
        "OPVANG_ASYNC_POSTGRES_WRITES": "false" if args.no_inline else "true",
    }
    if args.pg_connections is not None:
        env["OPVANG_ASYNC_POSTGRES_CONNECTIONS"] = str(args.pg_connections)
    return env


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def main() -> None:
    args = _arguments()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    load_before = os.getloadavg()
    with _database(args) as url:
        token, facilities = prepare(url)
        port = free_port()
        pg_url = url if args.database == "postgresql" else None
        with server(url, port, workers=args.workers, extra_env=_server_env(args)) as pid:
            phases = asyncio.run(_measure(args, port, pid, token, facilities, pg_url))
    health, reports = phases
    share = reports["per_second"] / health["per_second"] if health["per_second"] else 0.0
    cpu_share = health["server_cpu_ms_per_request"] / (reports["server_cpu_ms_per_request"] or 1)
    verdict = {
        "cpu_bound_reports_per_s": reports["server_cpu_bound_per_second"],
        "cpu_share_of_health": round(cpu_share, 3),
        "reports_per_s_goal": reports["per_second"] >= GOAL_REPORTS_PER_S,
        "share_of_health": round(share, 3),
        "share_goal": share >= GOAL_SHARE_OF_HEALTH,
        "p99_goal_ms": GOAL_P99_MS[args.database],
        "p99_goal": reports["p99_ms"] < GOAL_P99_MS[args.database],
        "all_reports_201": set(reports["statuses"]) == {201},
    }
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "commit": _commit(),
        "settings": {k: v for k, v in vars(args).items() if k != "json"},
        "phases": phases,
        "verdict": verdict,
    }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
