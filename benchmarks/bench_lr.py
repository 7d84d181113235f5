"""pytest-benchmark suite for vertical logistic regression (spec: protocols/lr-vertical.md).

test_lr_between_processes: the cases of `mpc bench lr` (lr-ss at 10^4 and 7*10^4 training rows,
lr-he at 10^4; set MPC_BENCH_LR_SIZES=2000 for a short run), guest and host in two processes over
ZeroMQ loopback with CURVE; seconds, bytes, AUC and scikit-learn's AUC land in extra_info, and from
10^4 rows on the AUC must be within 0.01 of scikit-learn's.

Run: pytest benchmarks/bench_lr.py --benchmark-only
"""
from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from conftest import protocol_rows  # noqa: E402
from mpc.bench import lr as bench_lr  # noqa: E402


def test_lr_between_processes(benchmark):
    rows = protocol_rows(benchmark, bench_lr, "MPC_BENCH_LR_SIZES", "10000,70000")
    for row in rows:
        key = f"{row['case']}@{row['n']}"
        benchmark.extra_info[key] = {name: row[name] for name in (
            "seconds", "bytes_sent", "bytes_received", "rounds", "auc", "sklearn_auc")}
        if row["n"] >= 10_000:   # one epoch of a few batches is not expected to converge
            assert row["auc"] >= row["sklearn_auc"] - 0.01, key
