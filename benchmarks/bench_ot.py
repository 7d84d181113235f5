"""pytest-benchmark suite for oblivious transfer (specs: protocols/ot-base.md, protocols/ot-iknp.md).

- test_ot_between_processes: the same cases as `mpc bench ot` (base-ot, random-ot, correlated-ot,
  chosen-ot, correlated-ot-z64 at 2^20 and 2^24), two processes over ZeroMQ loopback via
  mpc.run_local; OTs/s and bytes per OT land in extra_info, and the bytes measured must equal the
  spec's formulas.  Set MPC_BENCH_OT_SIZES=1048576 to shorten it.
- the kernel benchmarks: one 2^16-OT chunk of each IKNP kernel on one core.

Run: pytest benchmarks/bench_ot.py --benchmark-only
"""
from __future__ import annotations

import os

import numpy as np

from conftest import protocol_rows, record_rate
from mpc.native import ot as native_ot

CHUNK_BLOCKS = 512


def test_ot_between_processes(benchmark):
    from mpc.bench import ot as bench_ot
    rows = protocol_rows(benchmark, bench_ot, "MPC_BENCH_OT_SIZES", "1048576,16777216")
    for row in rows:
        key = f"{row['case']}@{row['n']}"
        benchmark.extra_info[key] = {"ops_per_s": row["ops_per_s"], "seconds": row["seconds"],
                                     "bytes_sent": row["bytes_sent"], "bytes_per_ot": row["bytes_sent"] / row["n"]}
        assert row["bytes_sent"] == row["bytes_expected"], key


def _keys():
    return native_ot.expand_keys(np.frombuffer(os.urandom(128 * 16), np.uint8).reshape(128, 16))


def _record(benchmark, ots: int) -> None:
    benchmark.extra_info["ots"] = ots
    record_rate(benchmark, "ots_per_s", ots)


def test_receiver_extend_chunk(benchmark):
    schedules0, schedules1 = _keys(), _keys()
    choices = np.frombuffer(os.urandom(CHUNK_BLOCKS * 16), np.uint8)
    t = np.empty((CHUNK_BLOCKS * 128, 16), np.uint8)
    benchmark(native_ot.receiver_extend, schedules0, schedules1, 0, choices, CHUNK_BLOCKS, t_out=t)
    _record(benchmark, CHUNK_BLOCKS * 128)


def test_sender_extend_chunk(benchmark):
    schedules = _keys()
    u = np.frombuffer(os.urandom(CHUNK_BLOCKS * 2048), np.uint8)
    q = np.empty((CHUNK_BLOCKS * 128, 16), np.uint8)
    benchmark(native_ot.sender_extend, schedules, os.urandom(16), 0, u, CHUNK_BLOCKS, q_out=q)
    _record(benchmark, CHUNK_BLOCKS * 128)


def test_hash_rows_chunk(benchmark):
    schedule = native_ot.expand_keys(np.frombuffer(os.urandom(16), np.uint8).reshape(1, 16))
    rows = np.frombuffer(os.urandom(CHUNK_BLOCKS * 128 * 16), np.uint8).reshape(-1, 16)
    out = np.empty_like(rows)
    benchmark(native_ot.hash_rows, schedule, 0, rows, out=out)
    _record(benchmark, rows.shape[0])


def test_transpose_128_by_65536(benchmark):
    matrix = np.frombuffer(os.urandom(128 * 8192), np.uint8).reshape(128, 8192)
    benchmark(native_ot.transpose, matrix)
    _record(benchmark, 65536)
