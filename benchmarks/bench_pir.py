"""pytest-benchmark suite for keyword PIR (spec: protocols/pir.md).

- test_pir_between_processes: the cases of `mpc bench pir` (preprocess, scan, hint, one query, a
  batch of 100) at 10^6 rows of 256 bytes, server and client in two processes over ZeroMQ loopback;
  figures land in extra_info and the bytes measured must equal the spec's formula.  Set
  MPC_BENCH_PIR_SIZES=10000 for a short run (the 10^6 case preprocesses for a few minutes).
- the kernel benchmarks: one answer pass over a 64 MiB matrix, 1 thread and all cores.

Run: pytest benchmarks/bench_pir.py --benchmark-only
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import protocol_rows, record_rate
from mpc.bench import pir as bench_pir
from mpc.native import pir as kernels

ROWS, COLS = 8192, 8192  # 64 MiB of table


def test_pir_between_processes(benchmark):
    rows = protocol_rows(benchmark, bench_pir, "MPC_BENCH_PIR_SIZES", "1000000", repeat=3)
    for row in rows:
        key = f"{row['case']}@{row['n']}"
        benchmark.extra_info[key] = {k: v for k, v in row.items() if k not in ("protocol", "case")}
        if row["case"] in ("pir-query", "pir-batch"):
            assert row["bytes_sent"] + row["bytes_received"] == row["bytes_expected"], key
            assert row["found"] == (True if row["case"] == "pir-query" else 50), key


@pytest.fixture(scope="module")
def matrix():
    table = np.frombuffer(os.urandom(ROWS * COLS), dtype=np.uint8).reshape(ROWS, COLS)
    lo, hi = kernels.split_queries(np.frombuffer(os.urandom(4 * COLS), dtype=np.uint32).reshape(1, COLS))
    return table, lo, hi


@pytest.mark.parametrize("threads", [1, None])
def test_answer_scan(benchmark, matrix, threads):
    table, lo, hi = matrix
    benchmark.pedantic(kernels.matmul_split, args=(table, lo, hi), kwargs={"threads": threads},
                       rounds=5, iterations=1)
    record_rate(benchmark, "gb_per_s", table.nbytes, 1e-9)
