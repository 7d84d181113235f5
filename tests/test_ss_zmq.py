"""The secret-sharing API between parties in separate processes over ZeroMQ loopback (mpc.run_local):
every operation equals numpy for 2 and 3 parties, with the default OT-generated triples."""
import numpy as np
import pytest

from mpc.runtime import run_local

X = np.array([[3, -7, 0, 12], [100, -1, 5, 8]], dtype=np.int64)
Y = np.array([[5, 2, -9, 1], [-4, 6, 7, 0]], dtype=np.int64)
A = np.array([1.5, -2.25, 0.125, 3.0])
B = np.array([0.5, 4.0, -8.0, 1.25])


def job(s):
    x = s.input(X if s.me == 0 else None, owner=0)
    y = s.input(Y if s.me == 1 else None, owner=1)
    a = s.input(A if s.me == s.parties - 1 else None, owner=s.parties - 1)
    b = s.input(B if s.me == 0 else None, owner=0)
    out = {
        "mul": s.reveal(x * y), "add": s.reveal(x + y - 3), "matmul": s.reveal(x @ y.T),
        "sum": s.reveal((x * y).sum()), "fixed": s.reveal(a * b), "mean": s.reveal(a.mean()),
        "dot": s.reveal(a.dot(b)),
        "sub_neg": s.reveal(-x - y), "public": s.reveal(2 * x + np.array([1, 2, 3, 4]) - 5),
        "rsub": s.reveal(100 - y), "sum_axis": s.reveal(y.sum(axis=1)),
        "fixed_public": s.reveal(a * 0.25 + 1.5), "mixed": s.reveal(a * s.input(np.array([1, 2, 3, 4]) if s.me == 0 else None, owner=0, ring=128)),
        "to_one": s.reveal(x * y, to=[s.parties - 1]),
    }
    if s.parties == 2:
        out["lt"] = s.reveal(x < y)
        out["max"] = s.reveal(x.max())
    else:
        from mpc.ss import api
        u = api.input(s, X if s.me == 2 else None, owner=2, kind="shamir")
        v = api.input(s, Y if s.me == 0 else None, owner=0, kind="shamir")
        out["shamir_mul"] = s.reveal(u * v)
        out["shamir_matmul"] = s.reveal(u @ v.T)
    return out


@pytest.mark.parametrize("parties", [2, 3])
def test_operations_over_zeromq(parties):
    results = run_local(job, parties=parties, timeout=60)
    tol = (parties + 1) * 2.0 ** -20
    for got in results:
        assert np.array_equal(got["mul"], X * Y)
        assert np.array_equal(got["add"], X + Y - 3)
        assert np.array_equal(got["matmul"], X @ Y.T)
        assert got["sum"] == (X * Y).sum()
        assert np.allclose(got["fixed"], A * B, atol=tol, rtol=0)
        assert abs(got["mean"] - A.mean()) <= abs(A.sum()) * 2.0 ** -21 + tol
        assert abs(got["dot"] - A.dot(B)) <= 4 * tol
        assert np.array_equal(got["sub_neg"], -X - Y)
        assert np.array_equal(got["public"], 2 * X + np.array([1, 2, 3, 4]) - 5)
        assert np.array_equal(got["rsub"], 100 - Y)
        assert np.array_equal(got["sum_axis"], Y.sum(axis=1))
        assert np.allclose(got["fixed_public"], A * 0.25 + 1.5, atol=tol, rtol=0)
        assert np.allclose(got["mixed"], A * np.array([1, 2, 3, 4]), atol=tol, rtol=0)
    assert all(r["to_one"] is None for r in results[:-1])
    assert np.array_equal(results[-1]["to_one"], X * Y)
    for got in results:
        if parties == 2:
            assert np.array_equal(got["lt"], (X < Y).astype(int))
            assert got["max"] == X.max()
        else:
            assert np.array_equal(got["shamir_mul"], X * Y)
            assert np.array_equal(got["shamir_matmul"], X @ Y.T)
