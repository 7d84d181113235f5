"""mpc.ss.nonlinear against numpy on a grid over each function's documented domain: the largest
error is the bound of protocols/ss-functions.md ("Errors"), asserted here.

Runs two parties as threads with the insecure dealer (only the online phase is under test; the
triples' source does not change any result) at f = 16 fractional bits in the current 64-bit ring.
Reference values are numpy's on the fixed-point value of the input (round(x 2^f) / 2^f), so the
input's own encoding error is not charged to the function.
"""
import numpy as np
import pytest

from mpc.ss import api, nonlinear as nl
from mpc.ss.nonlinear import _interpolant
from mpc.transport import run_threads
from ss_session import ThreadSession

F = 16
U = 2.0 ** -F


def quantise(values):
    return np.round(np.asarray(values, dtype=np.float64) * 2 ** F) / 2 ** F


def evaluate(fn, x, parties=2):
    """Party 0 inputs x; every party runs fn on the shared array; returns the revealed result."""
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        shared = api.input(session, x if session.me == 0 else None, owner=0)
        return api.reveal(fn(shared))
    results = run_threads(body, parties=parties, timeout=120)
    for other in results[1:]:
        assert np.array_equal(other, results[0])
    return results[0]


def sigmoid(v):
    return np.exp(-np.logaddexp(0.0, -v))


GRID = quantise(np.geomspace(2.0 ** -8, 2.0 ** 16 - 1, 160))   # the default domain [2^-8, 2^16)


def test_reciprocal_relative_error_on_the_domain():
    n = 2
    y = np.concatenate([GRID, -GRID])
    got = evaluate(nl.reciprocal, y)
    err = np.abs(got - 1.0 / y)
    assert np.all(err <= 8 * n * U / np.abs(y) + n * U), np.max(err * np.abs(y))


def test_reciprocal_saturates_outside_the_domain():
    y = np.array([0.0, 2.0 ** -12, -2.0 ** -12, 2.0 ** 20, -(2.0 ** 20)])
    got = evaluate(nl.reciprocal, y)
    expected = np.array([2.0 ** 8, 2.0 ** 8, -(2.0 ** 8), 0.0, 0.0])
    assert np.all(np.abs(got - expected) <= 8 * 2 * U * np.maximum(np.abs(expected), 1) + 2 * U)


def test_divide_secret_by_secret_and_by_public():
    x = quantise(np.linspace(-50, 50, 40))
    y = quantise(np.linspace(0.5, 20, 40))

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        b = api.input(s, y if s.me == 1 else None, owner=1)
        return api.reveal(nl.divide(a, b)), api.reveal(nl.divide(a, 4.0))
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        return job(session)
    secret, public = run_threads(body, parties=2, timeout=120)[0]
    # |x| * (reciprocal's error) + one truncation
    bound = np.abs(x) * (8 * 2 * U / y + 2 * U) + 2 * U
    assert np.all(np.abs(secret - x / y) <= bound)
    assert np.all(np.abs(public - x / 4.0) <= U)


def test_exp_relative_error_on_the_domain():
    n, d = 2, len(_interpolant("exp2", F)) - 1
    x = quantise(np.linspace(-F * np.log(2), F * np.log(2) - 1e-3, 240))
    got = evaluate(nl.exp, x)
    bound = (d + 2) * (n + 0.5) * U * np.exp(x) + n * U
    assert np.all(np.abs(got - np.exp(x)) <= bound)
    outside = evaluate(nl.exp, np.array([-40.0, 40.0]))
    assert abs(outside[0]) <= 2 * U and abs(outside[1] - 2.0 ** F) <= 2.0 ** F * 20 * U


def test_log_absolute_error_on_the_domain():
    n, d = 2, len(_interpolant("log", F)) - 1
    got = evaluate(nl.log, GRID)
    assert np.max(np.abs(got - np.log(GRID))) <= (d + 3) * (n + 0.5) * U
    low = evaluate(nl.log, np.array([0.0, -3.0]))
    assert np.all(np.abs(low - (-8 * np.log(2))) <= 20 * U)


@pytest.mark.parametrize("name", ["sqrt", "rsqrt"])
def test_square_roots_relative_error_on_the_domain(name):
    n = 2
    fn, ref = {"sqrt": (nl.sqrt, np.sqrt), "rsqrt": (nl.rsqrt, lambda v: 1 / np.sqrt(v))}[name]
    got = evaluate(fn, GRID)
    assert np.all(np.abs(got - ref(GRID)) <= 8 * n * U * ref(GRID) + n * U)


# Spec "Errors": sigmoid's largest error over all reals (the domain of the approximations is [-8, 8],
# saturated outside), at n = 2, f = 16.
SIGMOID_BOUNDS = {"exact": (6 * 2 + 4) * U, "poly": 3.0e-3 + 2 * 13 * U, "pwl": 0.0117 + 17 * 2 * U}


@pytest.mark.parametrize("method", ["exact", "poly", "pwl"])
def test_sigmoid_error_bound_on_the_real_line(method):
    x = quantise(np.concatenate([np.linspace(-8, 8, 321), [-1e4, -40.0, -9.0, 9.0, 40.0, 1e4]]))
    got = evaluate(lambda a: nl.sigmoid(a, method=method), x)
    assert np.max(np.abs(got - sigmoid(x))) <= SIGMOID_BOUNDS[method]
    if method == "poly":           # 0 / 1 outside [-8, 8], exactly
        assert got[-6] == 0.0 and got[-1] == 1.0
    if method == "pwl":            # flat outside: 9, 40 and 10^4 give the value at the clamp
        assert np.ptp(got[-6:-3]) <= 17 * 2 * U and np.ptp(got[-3:]) <= 17 * 2 * U


def test_sigmoid_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        nl.sigmoid(None, method="tanh")


def test_abs_relu_max_min_exact():
    x = quantise(np.linspace(-30, 30, 60)).reshape(3, 20)

    def fn(a):
        return nl.absolute(a), nl.relu(a), nl.max(a), nl.min(a, axis=1), nl.max(a, axis=0), nl.maximum(a, 1.5)

    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        shared = api.input(session, x if session.me == 0 else None, owner=0)
        return [api.reveal(v) for v in fn(shared)]
    got = run_threads(body, parties=2, timeout=120)[0]
    expected = [np.abs(x), np.maximum(x, 0), x.max(), x.min(axis=1), x.max(axis=0), np.maximum(x, 1.5)]
    for g, e in zip(got, expected):
        assert np.array_equal(g, e)


def test_integers_abs_and_max_stay_integers():
    x = np.array([-7, 3, 0, -2 ** 40, 12], dtype=np.int64)
    got = evaluate(lambda a: nl.absolute(a), x)
    assert got.dtype == np.int64 and np.array_equal(got, np.abs(x))
    assert evaluate(nl.max, x) == 12


def test_domain_is_checked():
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        shared = api.input(session, np.ones(2) if session.me == 0 else None, owner=0)
        with pytest.raises(ValueError, match="domain"):
            nl.reciprocal(shared, high_exponent=F + 1)
        with pytest.raises(ValueError, match="domain"):
            nl.exp(shared, high=100.0)
        return True
    assert all(run_threads(body, parties=2, timeout=60))


def test_operators_reach_the_nonlinear_functions():
    """abs(x) and x / y with a secret y are the spec's `absolute` and `divide` (same bounds)."""
    x = quantise(np.linspace(-30, 30, 24))
    y = quantise(np.linspace(0.75, 12, 24))

    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        a = api.input(session, x if session.me == 0 else None, owner=0)
        b = api.input(session, y if session.me == 1 else None, owner=1)
        return api.reveal(abs(a)), api.reveal(a / b)
    absolute, quotient = run_threads(body, parties=2, timeout=120)[0]
    assert np.array_equal(absolute, np.abs(x))
    assert np.all(np.abs(quotient - x / y) <= np.abs(x) * (8 * 2 * U / y + 2 * U) + 2 * U)
