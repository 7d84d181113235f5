"""pytest-benchmark suite for garbled circuits (spec: protocols/gc-halfgates.md).

- test_garble_aes / test_evaluate_aes: the native kernels on the scheduled AES-128 circuit, one core
  (AND gates per second in extra_info).
- test_gc_between_processes: the same cases as `mpc bench gc` (aes-2pc, aes-2pc-batch, large-2pc)
  between two processes over ZeroMQ loopback; the bytes measured must equal the spec's formula.

Run: pytest benchmarks/bench_gc.py --benchmark-only
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import record_rate

from mpc.bench import BenchOptions
from mpc.gc import library
from mpc.gc.job import scheduled
from mpc.native import garble as native


@pytest.fixture(scope="module")
def material():
    circuit = scheduled(library.load("aes_128"))
    raw = bytearray(os.urandom(16))
    raw[0] |= 1
    zero = np.frombuffer(os.urandom(16 * circuit.input_bits), np.uint8).reshape(-1, 16)
    schedule = native.hash_schedule(os.urandom(16))
    labels, tables = native.garble_circuit(circuit, zero, bytes(raw), schedule)
    return circuit, zero, bytes(raw), schedule, labels, tables


def test_garble_aes(benchmark, material):
    circuit, zero, delta, schedule, labels, tables = material
    benchmark(native.garble_circuit, circuit, zero, delta, schedule, 0, labels=labels, tables=tables)
    record_rate(benchmark, "and_gates_per_s", circuit.and_count)


def test_evaluate_aes(benchmark, material):
    circuit, zero, delta, schedule, labels, tables = material
    active = labels.copy()
    benchmark(native.evaluate_circuit, circuit, zero, tables, schedule, 0, labels=active)
    record_rate(benchmark, "and_gates_per_s", circuit.and_count)


def test_gc_between_processes(benchmark):
    from mpc.bench import gc as bench_gc
    quick = bool(os.environ.get("MPC_BENCH_GC_QUICK"))
    rows = benchmark.pedantic(lambda: bench_gc.run(BenchOptions(quick=quick, repeat=3)),
                              rounds=1, iterations=1)
    for row in rows:
        benchmark.extra_info[row["case"]] = {k: row[k] for k in ("n", "seconds", "ops_per_s",
                                                                  "bytes_sent") if k in row}
        if "bytes_expected" in row:
            assert row["bytes_sent"] == row["bytes_expected"], row["case"]
