"""pytest-benchmark suite for the symmetric primitives (spec: protocols/primitives.md):
AES-128 ECB blocks/s with AES-NI and with the portable constant-time code, PRG throughput,
and CR/CCR/TCCR hashes/s.  One C call per measured operation, single core.

Run: pytest benchmarks/bench_primitives.py --benchmark-only
Throughput lands in each result's extra_info (blocks_per_s, gigabytes_per_s).
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import record_rate

from mpc.native.aes import AesKey, has_aes_ni
from mpc.prg import Prg

IMPLS = [pytest.param("ni", marks=pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI")),
         "portable"]
BLOCKS = {"ni": 1 << 18, "portable": 1 << 14}  # 4 MiB / 256 KiB per call


def _record(benchmark, nblocks: int) -> None:
    benchmark.extra_info["blocks"] = nblocks
    record_rate(benchmark, "blocks_per_s", nblocks)
    record_rate(benchmark, "gigabytes_per_s", 16 * nblocks, 1e-9)


@pytest.mark.parametrize("impl", IMPLS)
def test_aes_ecb(benchmark, impl):
    key = AesKey(os.urandom(16), impl)
    nblocks = BLOCKS[impl]
    data = np.frombuffer(os.urandom(16 * nblocks), dtype=np.uint8).reshape(nblocks, 16)
    out = np.empty_like(data)
    benchmark(key.encrypt_blocks, data, out)
    _record(benchmark, nblocks)


@pytest.mark.parametrize("impl", IMPLS)
def test_prg_fill(benchmark, impl):
    prg = Prg(impl=impl)
    nblocks = BLOCKS[impl] * 4
    out = np.empty(16 * nblocks, dtype=np.uint8)
    benchmark(prg.fill, out)
    _record(benchmark, nblocks)


def test_prg_bytes_object(benchmark):
    # The common call: a Python bytes result (one C call plus one copy into the bytes object).
    prg = Prg()
    nbytes = 1 << 22
    benchmark(prg.bytes, nbytes)
    record_rate(benchmark, "gigabytes_per_s", nbytes, 1e-9)


def test_prg_bits(benchmark):
    prg = Prg()
    nbits = 1 << 24
    benchmark(prg.bits, nbits)
    record_rate(benchmark, "bits_per_s", nbits)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("kind", ["cr", "ccr", "tccr"])
def test_hash(benchmark, impl, kind):
    key = AesKey(os.urandom(16), impl)
    nblocks = BLOCKS[impl]
    data = np.frombuffer(os.urandom(16 * nblocks), dtype=np.uint8).reshape(nblocks, 16)
    out = np.empty_like(data)
    if kind == "tccr":
        tweaks = np.arange(nblocks, dtype=np.uint64)
        benchmark(key.hash_tccr, data, tweaks, out)
    else:
        benchmark(getattr(key, f"hash_{kind}"), data, out)
    _record(benchmark, nblocks)
