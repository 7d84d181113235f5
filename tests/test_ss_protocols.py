"""Secret-shared arithmetic between 2 and 3 parties (threads, in-process transport) against numpy:
integers exactly, fixed point within the documented error; OT-generated triples satisfy c = ab."""
import numpy as np
import pytest

from mpc.prg import Prg
from mpc.ss import api, compute
from mpc.ss.ring import RING64, RING128
from mpc.transport import run_threads
from ss_session import ThreadSession

F = 20                  # the default fractional bits of reals (Z_2^128)
ULP = 2.0 ** -F


def run(fn, parties, triples="ot", **options):
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples=triples, **options)
        return fn(session)
    return run_threads(body, parties=parties, timeout=60)


def data(seed_shape, low=-1000, high=1000):
    rng = Prg()
    return (rng.integers_below(high - low, int(np.prod(seed_shape))).astype(np.int64) + low).reshape(seed_shape)


X = np.array([[3, -7, 0, 12], [100, -1, 5, 8], [-250, 9, 4, -3]], dtype=np.int64)
Y = np.array([[5, 2, -9, 1], [-4, 6, 7, 0], [2, -2, 11, 13]], dtype=np.int64)
M = np.array([[1, -2], [3, 4], [-5, 6], [7, 8]], dtype=np.int64)


@pytest.mark.parametrize("parties", [2, 3])
def test_integer_operations_equal_numpy(parties):
    def job(s):
        x = s_input(s, X, owner=0)
        y = s_input(s, Y, owner=1)
        m = s_input(s, M, owner=parties - 1)
        return {
            "add": api.reveal(x + y), "sub": api.reveal(x - y), "neg": api.reveal(-x),
            "add_public": api.reveal(x + 5), "rsub_public": api.reveal(10 - x),
            "mul_public": api.reveal(x * np.array([1, -2, 3, 4])), "rmul_public": api.reveal(3 * x),
            "mul": api.reveal(x * y), "matmul": api.reveal(x @ m), "public_matmul": api.reveal(Y.T @ x),
            "matmul_public": api.reveal(x @ M), "sum": api.reveal(x.sum()), "sum_axis": api.reveal(x.sum(axis=0)),
            "dot": api.reveal(x[0].dot(y[0])), "chain": api.reveal((x * y + x) * y - 7),
        }
    results = run(job, parties)
    expected = {
        "add": X + Y, "sub": X - Y, "neg": -X, "add_public": X + 5, "rsub_public": 10 - X,
        "mul_public": X * np.array([1, -2, 3, 4]), "rmul_public": 3 * X, "mul": X * Y, "matmul": X @ M,
        "public_matmul": Y.T @ X, "matmul_public": X @ M, "sum": X.sum(), "sum_axis": X.sum(axis=0),
        "dot": X[0].dot(Y[0]), "chain": (X * Y + X) * Y - 7,
    }
    for party_result in results:
        for key, value in expected.items():
            assert np.array_equal(party_result[key], value), key


def s_input(s, value, owner):
    return api.input(s, value if s.me == owner else None, owner=owner)


@pytest.mark.parametrize("parties", [2, 3])
def test_fixed_point_operations_within_error(parties):
    a = np.array([1.5, -2.25, 0.125, 3.75, -0.5])
    b = np.array([-0.75, 4.5, 2.0, -1.25, 0.3])
    mat = np.array([[0.5, -1.0], [2.0, 0.25], [1.5, 1.0], [-0.5, 3.0], [1.0, -2.0]])

    def job(s):
        x = s_input(s, a, 0)
        y = s_input(s, b, 1)
        m = s_input(s, mat, parties - 1)
        n = api.input(s, np.array([1, 2, 3, 4, 5]) if s.me == 1 else None, owner=1, ring=128)
        return [api.reveal(x * y), api.reveal(x * 0.5), api.reveal(x + y), api.reveal(x.mean()),
                api.reveal(x.dot(y)), api.reveal(x @ m), api.reveal(x * n), api.reveal(x + n), api.reveal(x - 1.25)]
    for got in run(job, parties):
        # Each truncation adds at most `parties` units in the last place (2 for two parties: one
        # from local truncation, one from encoding the operands); sums of k products add k times that.
        tol = (parties + 1) * ULP
        assert np.allclose(got[0], a * b, atol=tol, rtol=0)
        assert np.allclose(got[1], a * 0.5, atol=tol, rtol=0)
        assert np.allclose(got[2], a + b, atol=2 * ULP, rtol=0)
        assert abs(got[3] - a.mean()) <= tol
        assert abs(got[4] - a.dot(b)) <= 5 * tol
        assert np.allclose(got[5], a @ mat, atol=5 * tol, rtol=0)
        assert np.allclose(got[6], a * np.arange(1, 6), atol=2 * ULP, rtol=0)
        assert np.allclose(got[7], a + np.arange(1, 6), atol=2 * ULP, rtol=0)
        assert np.allclose(got[8], a - 1.25, atol=2 * ULP, rtol=0)


def test_shamir_three_and_five_parties():
    x_data, y_data = data((50,)), data((50,))
    a_data, b_data = data((6, 7)), data((7, 3))

    def job(s):
        x = api.input(s, x_data if s.me == 0 else None, owner=0, kind="shamir")
        y = api.input(s, y_data if s.me == 2 else None, owner=2, kind="shamir")
        a = api.input(s, a_data if s.me == 1 else None, owner=1, kind="shamir")
        b = api.input(s, b_data if s.me == 0 else None, owner=0, kind="shamir")
        return [api.reveal(x * y), api.reveal(x.dot(y)), api.reveal(a @ b), api.reveal((x + y) * 3 - x),
                api.reveal((x * y) * x), api.reveal(x.sum()), api.reveal(x * y, to=[1])]
    for parties in (3, 5):
        results = run(job, parties)
        for me, got in enumerate(results):
            assert np.array_equal(got[0], x_data * y_data)
            assert got[1] == x_data.dot(y_data)
            assert np.array_equal(got[2], a_data @ b_data)
            assert np.array_equal(got[3], (x_data + y_data) * 3 - x_data)
            assert np.array_equal(got[4], x_data * y_data * x_data)
            assert got[5] == x_data.sum()
            assert (got[6] is None) == (me != 1)


def test_comparisons_two_parties_through_garbled_circuits():
    x_data = np.array([-5, 0, 7, 2 ** 40, -(2 ** 40), 3, 3])
    y_data = np.array([-6, 0, 8, -(2 ** 40), 2 ** 40, 3, 4])
    f_data = np.array([0.5, -1.25, 2.0])

    def job(s):
        x, y, f = s_input(s, x_data, 0), s_input(s, y_data, 1), s_input(s, f_data, 1)
        return [api.reveal(x < y), api.reveal(x == y), api.reveal(x.maximum(y)), api.reveal(x.max()),
                api.reveal(x > y), api.reveal(f < 1.0), api.reveal(f.max()), api.reveal((x < y) * x)]
    for got in run(job, 2, triples="insecure-dealer"):
        assert np.array_equal(got[0], (x_data < y_data).astype(int))
        assert np.array_equal(got[1], (x_data == y_data).astype(int))
        assert np.array_equal(got[2], np.maximum(x_data, y_data))
        assert got[3] == x_data.max()
        assert np.array_equal(got[4], (x_data > y_data).astype(int))
        assert np.array_equal(got[5], (f_data < 1.0).astype(int))
        assert got[6] == f_data.max()
        assert np.array_equal(got[7], np.where(x_data < y_data, x_data, 0))


def test_reveal_to_chosen_parties():
    def job(s):
        x = s_input(s, X, 0)
        return api.reveal(x, to=[2]), api.reveal(x, to=0)
    results = run(job, 3, triples="insecure-dealer")
    assert results[0][0] is None and results[1][0] is None and np.array_equal(results[2][0], X)
    assert np.array_equal(results[0][1], X) and results[1][1] is None and results[2][1] is None


def _opened(ring, shares):
    """Sum of the parties' shares as Python ints mod 2^bits, with the array's shape."""
    total = np.zeros(np.shape(shares[0]), dtype=object)
    for share in shares:
        total = total + np.array(ring.to_python(share), dtype=object).reshape(np.shape(share))
    return total % (1 << ring.bits)


def _check_triples(ring, results, secure=True):
    """c = a b and C = A @ B mod 2^bits, in plain Python integers."""
    modulus = 1 << ring.bits
    a, b, c, ma, mb, mc = (_opened(ring, [r[i] for r in results]) for i in range(6))
    assert all(r[6] is secure for r in results)
    assert np.array_equal((a * b) % modulus, c)
    assert np.array_equal(np.dot(ma, mb) % modulus, mc)
    if len(results[0]) > 7:
        va, vb, vc = (_opened(ring, [r[i] for r in results]) for i in (7, 8, 9))
        assert np.array_equal(np.dot(va, vb) % modulus, vc)
    # Shares are not degenerate: a party's a differs from the total.
    assert not np.array_equal(np.array(ring.to_python(results[0][0]), dtype=object), a)


@pytest.mark.parametrize("ring", [RING64, RING128], ids=["z64", "z128"])
@pytest.mark.parametrize("parties", [2, 3])
def test_ot_triples_satisfy_c_equals_ab(parties, ring):
    """Triples made by Gilboa over IKNP correlated OT (10^5 for 2 parties in Z_2^64, fewer
    elsewhere), all with c = a b mod 2^bits, checked in Python integers."""
    count = (100_000 if ring is RING64 else 20_000) if parties == 2 else 5_000

    def job(s):
        triples = api.context(s).triples
        triples.prepare(count, ring)
        a, b, c = triples.take(count, ring)
        ma, mb, mc = triples.take_matrix(3, 4, 2, ring)      # scalar cross products (few columns)
        va, vb, vc = triples.take_matrix(3, 5, 6, ring)      # vector OT (p >= 4 columns)
        return a, b, c, ma, mb, mc, triples.secure, va, vb, vc
    _check_triples(ring, run(job, parties))


@pytest.mark.parametrize("ring", [RING64, RING128], ids=["z64", "z128"])
def test_insecure_dealer_is_named_and_correct(ring, caplog):
    def job(s):
        t = api.context(s).triples
        return (*t.take(1000, ring), *t.take_matrix(2, 3, 4, ring), t.secure, type(t).__name__)
    with caplog.at_level("WARNING", logger="mpc.ss"):
        results = run(job, 3, triples="insecure-dealer")
    _check_triples(ring, [r[:7] for r in results], secure=False)
    assert results[0][7] == "InsecureDealer"
    # Every party of a session using the dealer logs a warning.
    warned = [r for r in caplog.records if "INSECURE dealer" in r.getMessage()]
    assert sorted(r.getMessage().split(":")[0] for r in warned) == ["party 0", "party 1", "party 2"]


def test_default_triple_source_is_ot():
    def job(s):
        return type(api.context(s).triples).__name__
    def body(endpoint):
        return job(ThreadSession(endpoint))
    assert run_threads(body, parties=2) == ["GilboaTriples", "GilboaTriples"]


@pytest.mark.parametrize("parties", [2, 3])
def test_named_joint_functions(parties):
    samples = [np.array([1.0, 2.5, 3.0]), np.array([4.0, -1.0]), np.array([0.5, 0.25, 7.0, 2.0])]

    def job(s):
        me = s.me
        return [compute.secure_sum(s, np.array([me, 10 * me])),
                compute.secure_mean(s, samples[me]), compute.secure_variance(s, samples[me]),
                compute.dot(s, np.array([1, 2, 3]) * (me + 1) if me < 2 else None),
                compute.matmul(s, np.arange(6).reshape(2, 3) if me == 0 else (np.arange(6).reshape(3, 2) if me == 1 else None))]
    pooled = np.concatenate(samples[:parties])
    for got in run(job, parties, triples="insecure-dealer"):
        assert np.array_equal(got[0], np.array([sum(range(parties)), 10 * sum(range(parties))]))
        # Division by the public count multiplies by round(2^f / N) / 2^f: relative error 2^-(f+1)
        # of the secret total, plus the truncation's units in the last place.
        assert abs(got[1] - pooled.mean()) <= abs(pooled.sum()) * ULP / 2 + (parties + 1) * ULP
        assert abs(got[2] - pooled.var()) <= np.square(pooled).sum() * ULP + 50 * ULP
        assert got[3] == 2 * 14
        assert np.array_equal(got[4], np.arange(6).reshape(2, 3) @ np.arange(6).reshape(3, 2))


def test_millionaires():
    for a, b, richer in ((10, 20, 1), (5_000_000, 4_999_999, 0), (7, 7, 0)):
        results = run(lambda s: compute.millionaires(s, a if s.me == 0 else b), 2, triples="insecure-dealer")
        assert results == [richer, richer]
