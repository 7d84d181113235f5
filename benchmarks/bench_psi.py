"""pytest-benchmark suite for blind-RSA PSI (spec: protocols/psi-rsa.md).

- test_psi_between_processes: the same cases as `mpc bench psi` (openssl-rsa-private,
  psi-rsa-sign-kernel, psi-rsa at 10^4, 10^5, 10^6 ids per side), server and client in two
  processes over ZeroMQ loopback via mpc.run_local; rates, phases, the ratio to OpenSSL and bytes
  land in extra_info, and the bytes and rounds measured must equal the spec's formulas.
  The 10^6 case takes several minutes on two cores: set MPC_BENCH_PSI_SIZES=10000,100000 to skip it.
- the kernel benchmarks: one batch of each RSA-PSI kernel on all cores, and OpenSSL's rate.

Run: pytest benchmarks/bench_psi.py --benchmark-only
"""
from __future__ import annotations

import os

import pytest

from conftest import protocol_rows, record_rate
from mpc.bench import psi as bench_psi
from mpc.native import rsa_psi as kernels

BATCH = 2048


def test_psi_between_processes(benchmark):
    rows = protocol_rows(benchmark, bench_psi, "MPC_BENCH_PSI_SIZES", "10000,100000,1000000")
    for row in rows:
        key = f"{row['case']}@{row['n']}"
        info = {"seconds": row["seconds"], "ops_per_s": row["ops_per_s"]}
        if row["case"] == "psi-rsa":
            info.update({name: row[name] for name in (
                "rsa_private_ops_per_s", "rsa_private_ops_per_s_per_core", "ratio_to_openssl", "bytes_sent",
                "rounds", "server_phases", "client_phases", "server_peak_rss_bytes", "client_peak_rss_bytes")})
            assert row["bytes_sent"] == row["bytes_expected"], key
            assert row["rounds"] == row["rounds_expected"], key
            assert row["intersection"] == row["expected_intersection"], key
        benchmark.extra_info[key] = info


@pytest.fixture(scope="module")
def material():
    from mpc.psi.keys import RsaPsiKey
    key = RsaPsiKey.generate(2048)
    ids = bench_psi.bench_ids(0, BATCH)
    domain = os.urandom(48)
    blinded, factors = kernels.blind(ids.data, ids.offsets, domain, key.public.modulus, key.public.e)
    signed = key.sign(blinded)
    return {"key": key, "ids": ids, "domain": domain, "blinded": blinded, "factors": factors, "signed": signed}


def _record(benchmark, ops: int) -> None:
    benchmark.extra_info["ops"] = ops
    record_rate(benchmark, "ops_per_s", ops)


def test_sign_batch(benchmark, material):
    benchmark.pedantic(material["key"].sign, args=(material["blinded"],), rounds=3, iterations=1)
    _record(benchmark, BATCH)


def test_hash_own_batch(benchmark, material):
    m = material
    benchmark.pedantic(m["key"].hash_own, args=(m["ids"], 0, BATCH, m["domain"]), rounds=3, iterations=1)
    _record(benchmark, BATCH)


def test_blind_batch(benchmark, material):
    m, pub = material, material["key"].public
    benchmark.pedantic(kernels.blind, args=(m["ids"].data, m["ids"].offsets, m["domain"], pub.modulus, pub.e),
                       rounds=3, iterations=1)
    _record(benchmark, BATCH)


def test_unblind_batch(benchmark, material):
    m, pub = material, material["key"].public
    benchmark.pedantic(kernels.unblind, args=(pub.modulus, pub.e, m["blinded"], m["signed"], m["factors"],
                                              m["domain"]), rounds=3, iterations=1)
    _record(benchmark, BATCH)


def test_openssl_rsa_private(benchmark):
    from mpc.native.openssl_bench import rsa_private_rate
    threads = kernels.default_threads()
    result = benchmark.pedantic(rsa_private_rate, args=(2048, 1000, threads), rounds=3, iterations=1)
    benchmark.extra_info.update(threads=threads, ops=result["ops"], ops_per_s=result["ops_per_s"])


@pytest.mark.parametrize("protocol", ["ecdh", "kkrt"])
def test_fast_psi_between_processes(benchmark, protocol):
    """`mpc bench psi --protocol ecdh|kkrt` (protocols/psi-ecdh.md, psi-kkrt.md) at 10^4, 10^5, 10^6 ids
    per side (MPC_BENCH_PSI_FAST_SIZES to change); bytes and rounds must equal the specs' formulas.
    ECDH at 10^6 takes a few minutes on two cores."""
    import os as _os
    from mpc.bench import BenchOptions
    from mpc.bench import _psi_fast
    sizes = [int(s) for s in _os.environ.get("MPC_BENCH_PSI_FAST_SIZES", "10000,100000,1000000").split(",")]
    rows = benchmark.pedantic(lambda: _psi_fast.run(BenchOptions(sizes=sizes, repeat=3, extra={"protocol": protocol})),
                              rounds=1, iterations=1)
    for row in rows:
        key = f"{row['case']}@{row['n']}"
        assert row["bytes_sent"] == row["bytes_expected"], key
        assert row["rounds"] == row["rounds_expected"], key
        assert row["intersection"] == row["expected_intersection"], key
        benchmark.extra_info[key] = {name: row[name] for name in (
            "seconds", "ops_per_s", "bytes_sent", "rounds", "server_phases", "client_phases",
            "server_peak_rss_bytes", "client_peak_rss_bytes")}
