"""Comparisons and nonlinear functions between parties in separate processes over ZeroMQ loopback
(mpc.run_local), with the session defaults (OT-made triples): 2 and 3 parties against numpy."""
import numpy as np
import pytest

from mpc.runtime import run_local

X = np.array([3, -7, 0, 12, 100, -1], dtype=np.int64)
Y = np.array([5, -7, -9, 1, 100, 6], dtype=np.int64)
R = np.array([0.75, -3.5, 12.25, -0.125, 200.0, 1.0])


def job(s):
    from mpc.ss import nonlinear as nl
    x = s.input(X if s.me == 0 else None, owner=0)
    y = s.input(Y if s.me == s.parties - 1 else None, owner=s.parties - 1)
    r = s.input(R if s.me == 1 else None, owner=1)
    return {"lt": s.reveal(x < y), "eq": s.reveal(x == y), "max": s.reveal(nl.max(x)),
            "relu": s.reveal(nl.relu(x)), "reciprocal": s.reveal(nl.reciprocal(r)),
            "sigmoid": s.reveal(nl.sigmoid(r)), "f": r.fractional_bits}


@pytest.mark.parametrize("parties", [2, 3])
def test_nonlinear_over_zeromq(parties):
    results = run_local(job, parties=parties, timeout=120)
    for got in results:
        u = 2.0 ** -got["f"]      # the session's default scale; bounds of protocols/ss-functions.md
        assert np.array_equal(got["lt"], (X < Y).astype(int))
        assert np.array_equal(got["eq"], (X == Y).astype(int))
        assert got["max"] == X.max() and np.array_equal(got["relu"], np.maximum(X, 0))
        assert np.all(np.abs(got["reciprocal"] - 1 / R) <= 8 * parties * u / np.abs(R) + parties * u)
        assert np.max(np.abs(got["sigmoid"] - 1 / (1 + np.exp(-R)))) <= (6 * parties + 4) * u
