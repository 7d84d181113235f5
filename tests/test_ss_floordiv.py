"""`x // c` for a secret SharedArray and a public c (mpc.ss.division) equals numpy's floor_divide
exactly: integers in Z_2^64 and reals in Z_2^128, 2 and 3 parties, both signs of x and c, exact
multiples x = k c (where an approximate quotient would be off by one), broadcasting, and the
refusals (c = 0, c not a multiple of 2^-f for reals, c out of range).  Also: the bytes equal L
comparisons of N elements (protocols/ss-additive.md, "Floor division by a public value").

Parties run as threads with the insecure dealer (triples do not change any result here: the
protocol uses only comparisons and local operations).
"""
import numpy as np
import pytest

from mpc.errors import RangeError
from mpc.ss import api, division, piecewise
from mpc.transport import run_threads
from ss_session import ThreadSession


def floordiv(x, c, parties=2, ring=None):
    """Party 0 inputs x; every party computes x // c; returns the revealed result (all agree)."""
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer")
        extra = {} if ring is None else {"ring": ring}
        shared = api.input(session, x if session.me == 0 else None, owner=0, **extra)
        out = shared // c
        return api.reveal(out), out.is_fixed_point
    results = run_threads(body, parties=parties, timeout=120)
    for other in results[1:]:
        assert np.array_equal(other[0], results[0][0])
    return results[0]


def integer_cases():
    """Signed int64 values: exact multiples of every divisor below, their neighbours, range edges."""
    limit = 2 ** 61 - 1
    base = [0, 1, -1, 2, -2, 5, -5, 6, -6, 7, -7, 12, -12, 35, -35, 10 ** 12, -10 ** 12,
            limit, -limit, limit - 1, -limit + 1, 2 ** 60, -2 ** 60]
    multiples = [k * c for k in (-4, -1, 1, 3, 2 ** 20) for c in (3, 7, 1000)]
    values = base + multiples + [m + 1 for m in multiples] + [m - 1 for m in multiples]
    return np.array(values, dtype=np.int64)


@pytest.mark.parametrize("parties, c", [(2, 3), (2, -3), (2, 7), (2, 1), (2, -1), (2, 1000),
                                        (2, 2 ** 40 + 1), (3, 3), (3, -7), (3, 1000)])
def test_integers_equal_numpy(parties, c):
    x = integer_cases()
    got, fixed = floordiv(x, c, parties)
    assert not fixed and got.dtype == np.int64
    assert np.array_equal(got, x // c), (x[got != x // c], got[got != x // c])


@pytest.mark.parametrize("parties", [2, 3])
def test_reals_equal_numpy_floor_divide(parties):
    ulp = 2.0 ** -20
    values = [0.0, 7.5, -7.5, 6.0, -6.0, 4.5, -4.5, 1.0 - ulp, -ulp, ulp, 12.25, -12.25,
              2.0 ** 39, -2.0 ** 39, 2.0 ** 40 - 2.0 ** -12, -(2.0 ** 40 - 2.0 ** -12), 123456.75, -123456.75]
    x = np.array(values)
    divisors = (1.5, -1.5, 0.25, -3.0, 7, 2.0 ** -20, 1e6) if parties == 2 else (-1.5, 0.25, 7)
    for c in divisors:
        cc = float(c)
        xs = x if abs(cc) >= 1 else x / 2 ** 21          # keep |x / c| inside the range of reals
        multiples = np.array([k * cc for k in (-5, -1, 1, 3, 1000)])
        xs = np.concatenate([xs, multiples, multiples + ulp, multiples - ulp])
        xs = np.round(xs / ulp) * ulp                     # the represented values (exact in float64)
        got, fixed = floordiv(xs, c, parties)
        assert fixed
        expected = np.floor_divide(xs, cc)
        assert np.array_equal(got, expected), (cc, xs[got != expected], got[got != expected])


def test_broadcasting_matches_numpy():
    x = np.arange(-12, 12, dtype=np.int64).reshape(4, 6)
    c = np.array([1, -2, 3, -4, 5, 6], dtype=np.int64)
    got, _ = floordiv(x, c)
    assert np.array_equal(got, x // c)
    column = np.array([[2], [-3], [5], [-7]])
    got, _ = floordiv(x, column)
    assert np.array_equal(got, x // column)
    row = np.array([[-7, -6, 0, 6, 7]])                    # (1, 5) secret with a (3, 1) public: (3, 5)
    divisors = np.array([[2.5], [-0.5], [4.0]])
    got, _ = floordiv(row.astype(np.float64), divisors)
    assert got.shape == (3, 5) and np.array_equal(got, np.floor_divide(row, divisors))
    got, _ = floordiv(np.zeros(0, np.int64), np.array([3]))
    assert got.shape == (0,)


def test_integers_in_the_128_bit_ring():
    x = integer_cases()
    got, fixed = floordiv(x, -7, ring=128)
    assert not fixed and np.array_equal(got, x // -7)


def test_refusals():
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer")
        ints = api.input(session, np.arange(4) if session.me == 0 else None, owner=0)
        reals = api.input(session, np.arange(4) * 0.5 if session.me == 0 else None, owner=0)
        errors = []
        for x, c, kind in [(ints, 0, ValueError), (ints, np.array([1, 0, 2, 3]), ValueError),
                           (reals, 0.0, ValueError), (reals, 0.1, ValueError),
                           (reals, float("inf"), ValueError), (reals, 2.0 ** 40, RangeError),
                           (ints, 2 ** 61, RangeError), (ints, 1.5, TypeError),
                           (ints, np.ones(3, np.int64), ValueError), (ints, ints, TypeError)]:
            with pytest.raises(kind):
                x // c
            errors.append(kind.__name__)
        return errors
    for errors in run_threads(body, parties=2, timeout=60):
        assert len(errors) == 10


@pytest.mark.parametrize("parties", [2, 3])
def test_bytes_are_l_comparisons(parties):
    """Everything `x // c` sends is its L comparisons with 0 of N elements (no other message)."""
    n = 16

    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer")
        x = api.input(session, np.arange(n) - 8 if session.me == 0 else None, owner=0)
        piecewise.at_least(x, [0])                         # base OTs and circuit caches, once
        before = session.stats.protocol().bytes_sent
        piecewise.at_least(x, [0])
        one = session.stats.protocol().bytes_sent - before
        before = session.stats.protocol().bytes_sent
        x // 5
        return session.stats.protocol().bytes_sent - before, one, division.comparisons(x, 5)
    results = run_threads(body, parties=parties, timeout=120)
    for total, one, steps in results:
        offset = -(-2 ** 61 // 5)                            # m = ceil(2^B / D), B = 61 for Z_2^64
        assert steps == ((2 ** 61 - 1 + offset * 5) // 5).bit_length() == 60
        assert one > 0 and total == steps * one
