"""Keep HiGHS's start-up banner off standard output (it would corrupt JSON written there)."""

from __future__ import annotations

import os
import sys

_done = False


def silence_solver_banner() -> None:
    """Create the process's first HiGHS instance with stdout closed; the banner prints only once."""
    global _done
    if _done:
        return
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)
    _done = True
