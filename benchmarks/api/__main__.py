"""``python -m benchmarks.api``: availability reports per second against GET /healthz.

One uvicorn worker on a fresh SQLite database with the demo supply (75 facilities); the
load comes from this process over loopback. Phases: warm-up, ``GET /healthz``, then
``PUT /v1/facilities/{id}/availability`` (a valid report with its own Idempotency-Key,
round-robin over the facilities), each bounded by time and by a request budget. Goals
(issue 4): at least 1,000 reports/s, at least 15 % of the health endpoint's throughput,
p99 under 50 ms at 32 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.api.load import Tally, request, run_phase
from benchmarks.api.target import cpu_seconds, free_port, prepare, server

GOAL_REPORTS_PER_S = 1000.0
GOAL_SHARE_OF_HEALTH = 0.15
GOAL_P99_MS = 50.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="per measured phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase")
    parser.add_argument("--synchronous", choices=["NORMAL", "FULL"], default="NORMAL")
    parser.add_argument("--no-inline", action="store_true", help="reports via the pool")
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
    }


async def _measured(pid: int, phase: Any) -> Tally:
    before = cpu_seconds(pid)
    tally: Tally = await phase
    tally.server_cpu = cpu_seconds(pid) - before
    return tally


async def _measure(
    args: argparse.Namespace, port: int, pid: int, token: str, facilities: list[Any]
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
            await _measured(pid, run_phase(port, _health, seconds=args.seconds, **limits)),
        )
    ]
    out.append(
        _summary(
            "PUT availability",
            await _measured(pid, run_phase(port, report, seconds=args.seconds, **limits)),
        )
    )
    return out


def main() -> None:
    args = _arguments()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with tempfile.TemporaryDirectory(prefix="opvang-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'opvang.db'}"
        token, facilities = prepare(url)
        port = free_port()
        env = {
            "OPVANG_SQLITE_SYNCHRONOUS": args.synchronous,
            "OPVANG_INLINE_SQLITE_WRITES": "false" if args.no_inline else "true",
        }
        with server(url, port, extra_env=env) as pid:
            phases = asyncio.run(_measure(args, port, pid, token, facilities))
    health, reports = phases
    share = reports["per_second"] / health["per_second"] if health["per_second"] else 0.0
    cpu_share = health["server_cpu_ms_per_request"] / reports["server_cpu_ms_per_request"]
    verdict = {
        "cpu_bound_reports_per_s": reports["server_cpu_bound_per_second"],
        "cpu_share_of_health": round(cpu_share, 3),
        "reports_per_s_goal": reports["per_second"] >= GOAL_REPORTS_PER_S,
        "share_of_health": round(share, 3),
        "share_goal": share >= GOAL_SHARE_OF_HEALTH,
        "p99_goal": reports["p99_ms"] < GOAL_P99_MS,
        "all_reports_201": set(reports["statuses"]) == {201},
    }
    result = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
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
