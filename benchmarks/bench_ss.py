"""pytest-benchmark suite for secret sharing (specs: protocols/ss-additive.md, protocols/ss-shamir.md).

- test_ss_between_processes: the cases of `mpc bench ss` (mul-online, mul-with-triples,
  shamir-mul-3p, matmul-100) with parties in separate processes over ZeroMQ loopback; throughput
  and bytes per multiplication land in extra_info, and the bytes measured must equal the spec's
  formulas for the online cases.  MPC_BENCH_SS_SIZE=100000 shortens it.
- kernel benchmarks on one core: the Beaver combination step over 10^6 elements (numpy) and the
  Z_p multiplication and Lagrange recombination kernels over 10^6 elements.

Run: pytest benchmarks/bench_ss.py --benchmark-only
"""
from __future__ import annotations

import os

import numpy as np

from conftest import record_rate
from mpc.bench import BenchOptions
from mpc.native import field
from mpc.prg import Prg
from mpc.ss import additive

N = 1_000_000


def test_ss_between_processes(benchmark):
    from mpc.bench import ss as bench_ss
    size = int(os.environ.get("MPC_BENCH_SS_SIZE", "1000000"))
    rows = benchmark.pedantic(lambda: bench_ss.run(BenchOptions(sizes=[size], repeat=3)), rounds=1, iterations=1)
    for row in rows:
        benchmark.extra_info[row["case"]] = {k: row[k] for k in ("n", "seconds", "mul_per_s", "bytes_sent",
                                                                  "bytes_per_mul", "rounds")}
    for row in rows:
        if "bytes_expected" in row:
            assert row["bytes_sent"] == row["bytes_expected"], row["case"]
    online = {r["case"]: r for r in rows}
    # protocols/ss-additive.md: 2 parties send 2 x 16 bytes per multiplication of reals in Z_2^128
    # each, 2 x 8 per integer multiplication in Z_2^64 (+ headers).
    assert abs(online["mul-online"]["bytes_per_mul"] - 64) < 0.01
    assert abs(online["mul-online-z64"]["bytes_per_mul"] - 32) < 0.01
    assert all(row["ring"] for row in rows)
    # protocols/ss-shamir.md: n (n - 1) x 8 bytes per multiplication = 48 for 3 parties.
    assert abs(online["shamir-mul-3p"]["bytes_per_mul"] - 48) < 0.01


def test_beaver_combine_kernel(benchmark):
    rng = Prg()
    a, b, c, d, e = (rng.uint64(N) for _ in range(5))
    benchmark(additive.beaver_combine, 0, a, b, c, d, e)
    record_rate(benchmark, "elements_per_s", N)


def test_field_mul_kernel(benchmark):
    rng = Prg()
    a, b = field.reduce(rng.uint64(N)), field.reduce(rng.uint64(N))
    out = np.empty(N, np.uint64)
    benchmark(field.mul, a, b, out)
    record_rate(benchmark, "elements_per_s", N)


def test_field_recombination_kernel(benchmark):
    rng = Prg()
    rows = field.reduce(rng.uint64(3 * N)).reshape(3, N)
    coeffs = [3, (1 << 61) - 4, 1]
    benchmark(field.combine, rows, coeffs)
    record_rate(benchmark, "elements_per_s", N)
