"""Dask clusters for replications and sweeps: a local one, or an existing one by address.

Recipe (``../shared/TOOLCHAIN.md``): worker processes with one thread each, bound to
127.0.0.1, the dashboard on a free port; client and cluster are closed when done. Scripts
that start a local cluster need an ``if __name__ == "__main__":`` guard (workers are
started as new processes that import the main module).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scenarios.errors import ScenarioRunError

CONNECT_TIMEOUT = "10s"  # to reach an existing scheduler


def check_scheduler_address(scheduler: str) -> None:
    """Refuse an address no scheduler can have (``nonsense`` was a ``ValueError`` from
    Dask about a missing port number).

    Raises
    ------
    ScenarioRunError
        Naming ``--scheduler``, when the address has no host or no port from 1 to 65535.
    """
    from distributed.comm.addressing import get_address_host_port

    try:
        host, port = get_address_host_port(scheduler)
    except (ValueError, TypeError):
        host, port = "", 0
    if not host or not 0 < port < 65536:
        raise ScenarioRunError(
            f"--scheduler: {scheduler!r} is not a scheduler address; give its host and port,"
            " like tcp://host:8786"
        )


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A :class:`dask.distributed.Client`: on ``scheduler`` if given, else a local cluster.

    Parameters
    ----------
    workers
        Worker processes of the local cluster (default: one per core).
    scheduler
        Address of an existing scheduler (``tcp://host:8786``).

    Raises
    ------
    ScenarioRunError
        When both are given, ``workers`` is below 1, or the scheduler cannot be reached.
    """
    from dask.distributed import Client, LocalCluster

    if scheduler is not None and workers is not None:
        raise ScenarioRunError("give --workers (a local cluster) or --scheduler, not both")
    if workers is not None and workers < 1:
        raise ScenarioRunError("--workers must be at least 1")
    if scheduler is not None:
        check_scheduler_address(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise ScenarioRunError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc})"
            ) from exc
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        # issue 17: the nanny's "Worker process still alive after 4.0 seconds, killing"
        # at close is routine, not something for the user's terminal; so is a worker's
        # "Failed to communicate with scheduler during heartbeat" traceback (logged at
        # ERROR) when the cluster closes under load. A failed replication still raises in
        # the client, with its own message.
        silence_logs=logging.CRITICAL,
    )
    client = Client(cluster)  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        cluster.close()
