"""Solver benchmarks (issue 3): seeded instances of sizes S, M and L, one table per size."""
