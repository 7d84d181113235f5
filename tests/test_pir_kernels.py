"""SimplePIR kernel and LWE layer (spec: protocols/pir.md, "Index PIR (SimplePIR)").

The native product is checked against exact Python integers for both code paths and any thread
count; the hint against numpy; decoding against the database; the error sampler against the
moments of D_{Z,6.4}; the correctness bound against its formula's limits.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest

from mpc.native import pir as kernels
from mpc.pir import lwe, params
from mpc.prg import Prg

IMPLS = ["portable"] + (["avx2"] if kernels.has_avx2() else [])


def _bytes(shape) -> np.ndarray:
    return np.frombuffer(os.urandom(int(np.prod(shape))), dtype=np.uint8).reshape(shape).copy()


def _words(shape) -> np.ndarray:
    return np.frombuffer(os.urandom(4 * int(np.prod(shape))), dtype=np.uint32).reshape(shape).copy()


def _reference(matrix, queries) -> np.ndarray:
    return np.array([[sum(int(a) * int(b) for a, b in zip(row, q)) % 2**32 for row in matrix] for q in queries],
                    dtype=np.uint64)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("rows,cols,k", [(1, 1, 1), (5, 17, 3), (9, 33, 2), (4, 4097, 1), (3, 0, 2)])
def test_matmul_is_exact_mod_2_32(impl, rows, cols, k):
    matrix, queries = _bytes((rows, cols)), _words((k, cols))
    if cols:  # extreme entries: every byte 255 against queries near 2^32 and near 2^15
        matrix[0, :] = 255
        queries[0, : cols // 2] = 2**32 - 1
        queries[-1, cols // 2:] = 2**15
    want = _reference(matrix, queries) if cols else np.zeros((k, rows), dtype=np.uint64)
    for threads in (1, 2, 3):
        got = kernels.matmul(matrix, queries, threads=threads, impl=impl)
        assert got.dtype == np.uint32 and got.shape == (k, rows)
        assert np.array_equal(got.astype(np.uint64), want)


def test_large_product_agrees_with_numpy_and_between_paths():
    matrix, queries = _bytes((37, 9000)), _words((5, 9000))
    want = ((queries.astype(np.uint64) @ matrix.T.astype(np.uint64)) % 2**32).astype(np.uint32)  # sums < 2^54: exact in uint64
    for impl in IMPLS:
        assert np.array_equal(kernels.matmul(matrix, queries, threads=2, impl=impl), want)


def test_split_queries_recombine():
    q = np.concatenate([_words(1000), np.array([0, 2**15 - 1, 2**15, 2**16 - 1, 2**32 - 1], dtype=np.uint32)])
    lo, hi = kernels.split_queries(q)
    back = (lo.astype(np.int64) + 65536 * hi.astype(np.int64)) % 2**32
    assert np.array_equal(back.astype(np.uint32), q)


def test_uint32_products_through_byte_planes():
    matrix, queries = _words((21, 50)), _words((3, 50))
    want = ((queries.astype(object) @ matrix.T.astype(object)) % 2**32).astype(np.uint64)
    got = kernels.matmul_u32(kernels.byte_planes(matrix), queries)
    assert np.array_equal(got.astype(np.uint64), want)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        kernels.matmul(_bytes((3, 4)), _words((2, 5)))
    with pytest.raises(ValueError):
        kernels.matmul(_bytes((3, 4)), _words((2, 4)), impl="fast")


def test_public_matrix_is_the_prg_stream():
    seed = bytes(range(16))
    a = lwe.expand_a(seed, 3)
    raw = Prg(seed).bytes(4 * 3 * params.LWE_N)
    assert a.shape == (3, params.LWE_N)
    assert a[0, 0] == int.from_bytes(raw[:4], "little") and a[2, -1] == int.from_bytes(raw[-4:], "little")
    assert np.array_equal(lwe.expand_a(seed, 3), a) and not np.array_equal(lwe.expand_a(bytes(16), 3), a)


def test_hint_and_retrieval_of_every_wanted_column():
    rows, cols = 70, 130
    matrix = _bytes((rows, cols))
    a = lwe.expand_a(os.urandom(16), cols)
    hint = lwe.compute_hint(matrix, a)
    assert np.array_equal(hint, ((matrix.astype(np.uint64) @ a.astype(np.uint64)) % 2**32).astype(np.uint32))
    maker = lwe.QueryMaker(a, hint)
    wanted = np.array([0, 5, cols - 1, 5])
    queries, secrets = maker.queries(wanted)
    assert queries.shape == (4, cols) and secrets.shape == (4, params.LWE_N)
    got = maker.decode(lwe.answer(matrix, queries), secrets)
    assert np.array_equal(got, matrix[:, wanted].T)
    with pytest.raises(ValueError):
        maker.queries(np.array([cols]))


def test_error_sampler_matches_the_discrete_gaussian():
    e = params.sample_errors(Prg(), 200_000).view(np.int32).astype(np.float64)
    # mean 0 and variance sigma^2 (D_{Z,6.4} has variance 40.96 to 1e-10): 6-sigma bands of the estimators
    assert abs(e.mean()) < 6 * params.SIGMA / math.sqrt(e.size)
    assert abs(e.var() - params.SIGMA ** 2) < 6 * math.sqrt(2) * params.SIGMA ** 2 / math.sqrt(e.size)
    assert np.abs(e).max() <= params.ERROR_TAIL
    counts = np.bincount((e + params.ERROR_TAIL).astype(np.int64), minlength=2 * params.ERROR_TAIL + 1)
    assert counts[params.ERROR_TAIL] > counts[params.ERROR_TAIL + 7] > 0  # peaked at 0


def test_correctness_bound():
    assert params.failure_log2(params.MAX_ROWS, params.MAX_COLUMNS) <= params.FAILURE_LOG2_LIMIT
    assert params.failure_log2(10, 4 * params.MAX_COLUMNS) > params.FAILURE_LOG2_LIMIT  # the cap matters
    with pytest.raises(ValueError):
        params.Geometry(params.MAX_COLUMNS + 1, 4, 40).check()
    g = params.Geometry.choose(10**6, 276)
    assert g.capacity * params.LOAD >= 10**6 and abs(math.log2(g.rows / g.cols)) < 0.5
