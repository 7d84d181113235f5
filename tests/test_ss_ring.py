"""The Z_2^128 kernels (native/ring128.c through mpc.native.ring) and the ring abstraction
(mpc.ss.ring) against plain Python integers, on random and edge values."""
import os

import numpy as np
import pytest

from mpc.errors import RangeError
from mpc.native import ring as native
from mpc.ss.ring import RING64, RING128, ring_for_bits

M = 1 << 128
EDGE = [0, 1, 2, M - 1, M - 2, 1 << 127, (1 << 127) - 1, (1 << 127) + 1, 1 << 64, (1 << 64) - 1,
        (1 << 63), 0xDEADBEEF << 70]


def random_elements(n):
    return native.from_words(np.frombuffer(os.urandom(16 * n), np.uint64).reshape(n, 2))


def signed(v):
    return v - M if v >= 1 << 127 else v


def operands(n=2000):
    a, b = random_elements(n), random_elements(n)
    edge = native.from_python(EDGE * len(EDGE))
    other = native.from_python([e for e in EDGE for _ in EDGE])
    return np.concatenate([a, edge]), np.concatenate([b, other])


def test_elementwise_arithmetic_matches_python():
    a, b = operands()
    pa, pb = native.to_python(a), native.to_python(b)
    assert native.to_python(native.add(a, b)) == [(x + y) % M for x, y in zip(pa, pb)]
    assert native.to_python(native.sub(a, b)) == [(x - y) % M for x, y in zip(pa, pb)]
    assert native.to_python(native.mul(a, b)) == [(x * y) % M for x, y in zip(pa, pb)]
    assert native.to_python(native.neg(a)) == [(-x) % M for x in pa]


@pytest.mark.parametrize("bits", [0, 1, 20, 63, 64, 65, 100, 127])
def test_shifts_match_python(bits):
    a, _ = operands(500)
    pa = native.to_python(a)
    assert native.to_python(native.shl(a, bits)) == [(x << bits) % M for x in pa]
    assert native.to_python(native.shr_arith(a, bits)) == [(signed(x) >> bits) % M for x in pa]
    assert native.to_python(native.shr_logical(a, bits)) == [x >> bits for x in pa]
    with pytest.raises(ValueError):
        native.shl(a, 128)


def test_sum_axis_and_matmul_match_python():
    a = random_elements(3 * 4 * 5).reshape(3, 4, 5)
    p = np.array(native.to_python(a), dtype=object).reshape(3, 4, 5)
    for axis in (0, 1, 2, -1):
        assert native.to_python(native.sum_axis(a, axis)) == [int(v) % M for v in p.sum(axis=axis).ravel()]
    assert native.to_python(native.sum_axis(a)) == [int(p.sum()) % M]
    x, y = random_elements(7 * 9).reshape(7, 9), random_elements(9 * 4).reshape(9, 4)
    px = np.array(native.to_python(x), dtype=object).reshape(7, 9)
    py = np.array(native.to_python(y), dtype=object).reshape(9, 4)
    assert native.to_python(native.matmul(x, y)) == [int(v) % M for v in np.dot(px, py).ravel()]
    with pytest.raises(ValueError):
        native.matmul(x, x)


def test_beaver_combination_matches_python():
    a, b, c, d, e = (random_elements(300) for _ in range(5))
    pa, pb, pc, pd, pe = (native.to_python(v) for v in (a, b, c, d, e))
    for add_de in (False, True):
        want = [(z + x * y + w * u + (x * w if add_de else 0)) % M for z, x, y, w, u in zip(pc, pd, pb, pe, pa)]
        assert native.to_python(native.beaver(a, b, c, d, e, add_de)) == want


def test_fixed_point_encode_decode_and_range():
    values = np.array([0.0, 1.5, -2.25, 1e-6, -1e12, 2.0 ** 39.5, -(2.0 ** 39.9)])
    enc = native.encode(values, 20, 60)
    assert native.to_python(enc)[1] == 3 << 19 and native.to_python(enc)[2] == M - (9 << 18)
    assert np.allclose(native.decode(enc, 20), values, atol=2.0 ** -21, rtol=0)
    assert native.decode(native.from_int64(np.array([-1, 5])), 0).tolist() == [-1.0, 5.0]
    for bad in (2.0 ** 40, -(2.0 ** 40), np.inf, np.nan):
        with pytest.raises(RangeError, match=r"2\^40"):
            native.encode(np.array([1.0, bad]), 20, 60)


def test_local_truncation_matches_secureml_rule():
    a, _ = operands(500)
    pa = native.to_python(a)
    t0 = native.to_python(native.trunc_local(a, 0, 20))
    t1 = native.to_python(native.trunc_local(a, 1, 20))
    assert t0 == [(signed(x) >> 20) % M for x in pa]
    assert t1 == [(-((signed((-x) % M)) >> 20)) % M for x in pa]


def test_gilboa_kernels_share_the_product():
    count = 64
    u, v = random_elements(count), random_elements(count)
    m0 = np.frombuffer(os.urandom(16 * 128 * count), np.uint8).reshape(-1, 16)
    m1 = np.frombuffer(os.urandom(16 * 128 * count), np.uint8).reshape(-1, 16)
    bits = np.unpackbits(u.view(np.uint8), bitorder="little").astype(bool)
    chosen = np.where(bits[:, None], m1, m0)
    sender, corrections = native.gilboa_sender(m0, m1, v)
    assert corrections.size == native.GILBOA_BYTES * count == sum(16 - t // 8 for t in range(128)) * count
    receiver = native.gilboa_receiver(chosen, u, corrections)
    total = native.to_python(native.add(sender, receiver))
    assert total == [(x * y) % M for x, y in zip(native.to_python(u), native.to_python(v))]


@pytest.mark.parametrize("ring", [RING64, RING128], ids=["z64", "z128"])
def test_ring_interface_matches_python(ring):
    modulus = 1 << ring.bits
    a, b = ring.random(None, (4, 5)), ring.random(None, (4, 5))
    pa, pb = ring.to_python(a), ring.to_python(b)
    assert ring.to_python(ring.add(a, b)) == [(x + y) % modulus for x, y in zip(pa, pb)]
    assert ring.to_python(ring.mul(a, b)) == [(x * y) % modulus for x, y in zip(pa, pb)]
    assert ring.to_python(ring.from_wire(ring.to_wire(a), a.shape)) == pa
    # numpy's shape habits work on shares of either ring
    assert ring.to_python(a.T) == [pa[i * 5 + j] for j in range(5) for i in range(4)]
    assert ring.to_python(np.concatenate([a, b])) == pa + pb
    assert ring.to_int(ring.from_int(np.array([-3, 7]))).tolist() == [-3, 7]
    assert ring_for_bits(ring.bits) is ring and ring.to_python(ring.sum(a, axis=0)) == [
        sum(pa[i * 5 + j] for i in range(4)) % modulus for j in range(5)]
    assert ring.to_python(ring.shr(ring.from_int(np.array([-(1 << 40)])), 20)) == [(-(1 << 20)) % modulus]


def test_ring128_integers_beyond_int64_come_back_as_python_ints():
    big = RING128.from_python([1 << 100, -(1 << 90), 5], (3,))
    assert RING128.to_int(big).tolist() == [1 << 100, -(1 << 90), 5]
    assert RING128.to_int(RING128.from_int(np.array([-1, 2]))).dtype == np.int64
