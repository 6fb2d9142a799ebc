"""A small HTTP/1.1 load generator on raw asyncio streams (keep-alive, no pipelining).

Each connection sends one request, reads the whole answer, and sends the next, until the
time or the request budget runs out; every request's latency is kept. It is written on
bare streams because an HTTP client library costs more per request than the server under
test spends on a health check.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MakeRequest = Callable[[int, int], bytes]  # (connection, n-th request) -> raw request


@dataclass
class Tally:
    """What one phase measured."""

    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: dict[int, int] = field(default_factory=dict)
    sent: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU the server used during the phase
    database_cpu: float | None = None  # seconds of CPU PostgreSQL's backends used (if any)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU per answered request: the capacity measure a busy machine cannot blur."""
        return 1000.0 * self.server_cpu / len(self.latencies) if self.latencies else 0.0

    @property
    def database_cpu_ms_per_request(self) -> float | None:
        """CPU of the database's backends per answered request (PostgreSQL only)."""
        if self.database_cpu is None or not self.latencies:
            return None
        return 1000.0 * self.database_cpu / len(self.latencies)

    def percentile(self, q: float) -> float:
        """Latency at quantile ``q`` (0..1), in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000.0 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def request(method: str, path: str, *, headers: dict[str, str], body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 request for 127.0.0.1."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method in ("POST", "PUT"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int, conn: int, make: MakeRequest, deadline: float, budget: int, tally: Tally
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    try:
        while time.perf_counter() < deadline and tally.sent < budget:
            tally.sent += 1
            raw = make(conn, n)
            n += 1
            start = time.perf_counter()
            writer.write(raw)
            status = await _answer(reader)
            tally.latencies.append(time.perf_counter() - start)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run_phase(
    port: int, make: MakeRequest, *, connections: int, seconds: float, max_requests: int
) -> Tally:
    """Load the server with ``connections`` keep-alive connections for a bounded time."""
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(_connection(port, c, make, deadline, max_requests, tally) for c in range(connections))
    )
    tally.elapsed = time.perf_counter() - start
    return tally
