"""Scenario benchmarks (issue 5): ``python -m benchmarks.scenarios``."""
