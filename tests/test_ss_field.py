"""Native Z_p kernels (p = 2^61 - 1) against plain Python integer arithmetic."""
import os

import numpy as np
import pytest

from mpc.errors import NativeError, ProtocolError
from mpc.native import field

P = (1 << 61) - 1


def elements(n, seed=None):
    raw = np.frombuffer(os.urandom(8 * n), dtype=np.uint64)
    return field.reduce(raw)


def test_prime_is_mersenne_61():
    assert field.PRIME == P
    assert pow(3, P - 1, P) == 1   # Fermat check


def test_edge_values_reduce_and_arithmetic():
    edge = np.array([0, 1, P - 1, P, P + 1, (1 << 64) - 1, 1 << 61, (1 << 62) + 5], dtype=np.uint64)
    reduced = field.reduce(edge)
    assert [int(v) for v in reduced] == [int(v) % P for v in edge]
    a = np.array([0, 1, P - 1, P - 1, 12345], dtype=np.uint64)
    b = np.array([P - 1, P - 1, P - 1, 1, 0], dtype=np.uint64)
    assert [int(v) for v in field.add(a, b)] == [(int(x) + int(y)) % P for x, y in zip(a, b)]
    assert [int(v) for v in field.sub(a, b)] == [(int(x) - int(y)) % P for x, y in zip(a, b)]
    assert [int(v) for v in field.mul(a, b)] == [int(x) * int(y) % P for x, y in zip(a, b)]


def test_random_arithmetic_matches_python():
    a, b = elements(2000), elements(2000)
    ia, ib = [int(v) for v in a], [int(v) for v in b]
    assert [int(v) for v in field.mul(a, b)] == [x * y % P for x, y in zip(ia, ib)]
    assert [int(v) for v in field.add(a, b)] == [(x + y) % P for x, y in zip(ia, ib)]
    assert [int(v) for v in field.sub(a, b)] == [(x - y) % P for x, y in zip(ia, ib)]
    assert field.dot(a, b) == sum(x * y for x, y in zip(ia, ib)) % P
    s = 987654321987
    assert [int(v) for v in field.mul_scalar(a, s)] == [x * s % P for x in ia]


def test_dot_and_matmul_with_maximal_entries():
    # All entries p - 1: the largest products, so the 128-bit accumulators must be folded in time.
    a = np.full(1000, P - 1, dtype=np.uint64)
    assert field.dot(a, a) == 1000 * (P - 1) ** 2 % P
    m = np.full((3, 50), P - 1, dtype=np.uint64)
    n = np.full((50, 4), P - 1, dtype=np.uint64)
    assert np.all(field.matmul(m, n) == 50 * (P - 1) ** 2 % P)


def test_matmul_matches_python():
    a, b = elements(7 * 19).reshape(7, 19), elements(19 * 5).reshape(19, 5)
    got = field.matmul(a, b)
    for i in range(7):
        for j in range(5):
            assert int(got[i, j]) == sum(int(a[i, k]) * int(b[k, j]) for k in range(19)) % P


def test_combine_and_polynomial_sharing():
    vectors = elements(9 * 30).reshape(9, 30)
    coeffs = [int(v) for v in elements(9)]
    got = field.combine(vectors, coeffs)
    for j in range(30):
        assert int(got[j]) == sum(c * int(vectors[i, j]) for i, c in enumerate(coeffs)) % P
    secrets, poly = elements(10), elements(3 * 10).reshape(3, 10)
    points = [1, 2, 5, P - 1]
    shares = field.share_polynomial(secrets, poly, points)
    for j, x in enumerate(points):
        for i in range(10):
            expected = (int(secrets[i]) + sum(int(poly[d, i]) * pow(x, d + 1, P) for d in range(3))) % P
            assert int(shares[j, i]) == expected


def test_signed_round_trip():
    values = np.array([0, 1, -1, 2 ** 40, -(2 ** 40), (P - 1) // 2, -((P - 1) // 2)], dtype=np.int64)
    encoded = field.from_signed(values)
    assert [int(v) for v in encoded] == [int(v) % P for v in values]
    assert np.array_equal(field.to_signed(encoded), values)


def test_sampling_by_rejection():
    word_p = P.to_bytes(8, "little")
    data = word_p + (5).to_bytes(8, "little") + (0xFFFFFFFFFFFFFFFF).to_bytes(8, "little") + b"\x07" * 8
    got = field.sample(data, 2)
    # p itself is rejected; the top three bits are cleared before the test (2^64-1 -> p -> rejected).
    assert [int(v) for v in got] == [5, int.from_bytes(b"\x07" * 8, "little") & P]
    with pytest.raises(NativeError):
        field.sample(word_p * 3, 1)
    many = field.sample(os.urandom(8 * 20000 + 64), 20000)
    assert field.is_reduced(many)
    # Uniformity: each of the top 4 bits of the 61-bit value is set about half the time.
    for bit in range(57, 61):
        freq = np.mean((many >> np.uint64(bit)) & np.uint64(1))
        assert abs(freq - 0.5) < 0.02


def test_peer_data_check():
    assert field.is_reduced(np.array([0, P - 1], dtype=np.uint64))
    with pytest.raises(ProtocolError):
        field.check_elements(np.array([0, P], dtype=np.uint64), "share", peer=1)


def test_type_and_shape_errors():
    with pytest.raises(TypeError):
        field.add(np.zeros(3, np.int64), np.zeros(3, np.uint64))
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        field.mul(np.zeros(3, np.uint64), np.zeros(4, np.uint64))
    with pytest.raises(ValueError):
        field.matmul(np.zeros((2, 3), np.uint64), np.zeros((2, 3), np.uint64))
