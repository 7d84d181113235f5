"""Shared helpers of the pytest-benchmark suites (run: pytest benchmarks/ --benchmark-only)."""
from __future__ import annotations

import os

from mpc.bench import BenchOptions


def protocol_rows(benchmark, module, env_var: str, default_sizes: str, repeat: int = 3) -> list[dict]:
    """Run `module.run` (what `mpc bench` runs) once under pytest-benchmark; sizes from `env_var`
    (comma-separated) or `default_sizes`."""
    sizes = [int(s) for s in os.environ.get(env_var, default_sizes).split(",")]
    return benchmark.pedantic(lambda: module.run(BenchOptions(sizes=sizes, repeat=repeat)),
                              rounds=1, iterations=1)


def record_rate(benchmark, name: str, amount: float, scale: float = 1.0) -> None:
    """extra_info[name] = amount / best time × scale; nothing under --benchmark-disable (smoke
    runs), where pytest-benchmark keeps no statistics."""
    if benchmark.stats is not None:
        benchmark.extra_info[name] = amount / benchmark.stats.stats.min * scale
