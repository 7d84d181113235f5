"""pytest-benchmark suite for the transport (same code as `mpc bench transport`).

Run: pytest benchmarks/bench_transport.py  — prints mpc vs raw pyzmq throughput and latency.
"""
import pytest

from mpc.bench import BenchOptions
from mpc.bench import transport


@pytest.fixture(scope="module")
def rows():
    return {r["case"]: r for r in transport.run(BenchOptions(repeat=3))}


@pytest.mark.parametrize("security", ["plain", "curve"])
def test_throughput_1mib(benchmark, rows, security):
    mpc_row, raw_row = rows[f"mpc-{security}"], rows[f"raw-pyzmq-{security}"]
    benchmark.extra_info.update(mpc_gb_per_s=mpc_row["gbytes_per_s"], raw_gb_per_s=raw_row["gbytes_per_s"],
                                ratio=mpc_row["gbytes_per_s"] / raw_row["gbytes_per_s"])
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\n{security}: mpc {mpc_row['gbytes_per_s']:.2f} GB/s, raw pyzmq "
          f"{raw_row['gbytes_per_s']:.2f} GB/s, ratio {benchmark.extra_info['ratio']:.2f}")


def test_latency_64b(benchmark, rows):
    mpc_row, raw_row = rows["latency-mpc-plain"], rows["latency-raw-pyzmq-plain"]
    benchmark.extra_info.update(mpc_us=mpc_row["microseconds_per_round_trip"],
                                raw_us=raw_row["microseconds_per_round_trip"])
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\nround trip: mpc {mpc_row['microseconds_per_round_trip']:.1f} us, raw pyzmq "
          f"{raw_row['microseconds_per_round_trip']:.1f} us")
