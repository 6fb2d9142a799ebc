"""``python -m benchmarks``: the project's benchmarks.

- ``python -m benchmarks`` (``make bench``): the solver on S and M, 3 seeds each;
- ``python -m benchmarks matching [options]``: the solver (``--size L`` for EU scale,
  see ``python -m benchmarks matching --help``);
- ``python -m benchmarks api [options]``, ``python -m benchmarks scenarios [options]``:
  the API and scenario benchmarks;
- ``python -m benchmarks planning``: the capacity planner against brute force.
"""

from __future__ import annotations

import runpy
import sys

SUITES = ("matching", "api", "scenarios", "planning", "calibration")


def main() -> None:
    args = sys.argv[1:]
    suite = args[0] if args and args[0] in SUITES else "matching"
    rest = args[1:] if args and args[0] in SUITES else args
    sys.argv = [f"python -m benchmarks {suite}", *rest]
    runpy.run_module(f"benchmarks.{suite}", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
