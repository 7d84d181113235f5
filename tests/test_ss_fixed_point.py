"""Fixed point in Z_2^128 as users rely on it: products at the edge of the documented range are
right to the stated error (10^5 of them, 2 and 3 parties), what a coalition sees during masked
truncation does not depend on the secret (chi-square, with a test that it has teeth), division by
public numbers, and exact pooled means and never-negative variances against numpy (1,000 runs)."""
import numpy as np
import pytest

from mpc.errors import ConfigError, RangeError, ShapeError
from mpc.prg import Prg
from mpc.ss import api, checks, compute
from mpc.ss.fixed_point import RealParams
from mpc.ss.ring import RING128
from mpc.transport import run_threads
from ss_session import ThreadSession

F = 20
ULP = 2.0 ** -F


def run(fn, parties, **options):
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, **options)
        return fn(session)
    return run_threads(body, parties=parties, timeout=120)


def s_input(s, value, owner, **kw):
    return api.input(s, value if s.me == owner else None, owner=owner, **kw)


@pytest.mark.parametrize("parties", [2, 3])
def test_products_at_the_edge_of_the_range_are_right(parties):
    """10^5 products with |x y| in [2^38.8, 2^40): none off by more than the stated truncation error
    ([0, 1] ulp locally for 2 parties, [0, n] ulps masked for n >= 3) from floor(X Y / 2^f)."""
    results = run(lambda s: checks.products_at_edge(s, 100_000, chunk=50_000), parties,
                  triples="insecure-dealer")
    report = results[0]
    print(f"\n{parties} parties: {report['checked']} products at the edge, {report['wrong']} wrong, "
          f"worst error {report['worst_ulps']} ulp (allowed {report['allowed_ulps']})")
    assert report["checked"] == 100_000 and report["range_bits"] == 40
    assert report["wrong"] == 0
    assert report["worst_ulps"] <= report["allowed_ulps"]


def test_products_beyond_the_range_go_wrong_so_the_check_has_teeth():
    """Operands inside the input range whose product (up to 2^44) leaves the documented 2^40: with
    the masked opening (3 parties) the bias no longer covers the negative products, which come back
    as garbage, so comparing against numpy finds them; the products inside the range stay right."""
    rng = Prg()
    words = rng.uint64(2 * 4000).reshape(2, 4000)
    unit = (words >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    xs = (2 * unit[0] - 1) * 2.0 ** 22
    ys = (2 * unit[1] - 1) * 2.0 ** 22

    def job(s):
        return api.reveal(s_input(s, xs, 0) * s_input(s, ys, 1))
    out = run(job, 3, triples="insecure-dealer")[0]
    error = np.abs(out - xs * ys)
    inside = np.abs(xs * ys) < 2.0 ** 40
    assert np.count_nonzero(error[~inside] > 1.0) > 100
    assert np.all(error[inside] <= np.abs(xs[inside]) * 2.0 ** -20 + np.abs(ys[inside]) * 2.0 ** -20 + 1e-3)


def _chi_square(a, b, bins):
    ha = np.bincount(a, minlength=bins).astype(float)
    hb = np.bincount(b, minlength=bins).astype(float)
    total = ha + hb
    keep = total > 0
    return float(np.sum((ha[keep] - hb[keep]) ** 2 / total[keep])), int(np.count_nonzero(keep))


def _coalition_view(secret: int, count: int, mask_bits: int, bias: int, rng) -> np.ndarray:
    """What parties 1, 2 learn of the value in a 3-party masked truncation: party 0's published
    x_0 + r_0 + 2^bias plus their own shares x_1 + x_2, i.e. x + r_0 + 2^bias (ring.trunc_mask)."""
    x = RING128.from_python([secret] * count, (count,))
    shares = [RING128.random(rng, count) for _ in range(2)]
    x0 = RING128.sub(RING128.sub(x, shares[0]), shares[1])
    _, published = RING128.trunc_mask(x0, RING128.random(rng, count), mask_bits, 0, bias)
    return RING128.add(RING128.add(published, shares[0]), shares[1])


def test_masked_truncation_view_does_not_depend_on_the_secret():
    """Secrets 0 and -(2^80 - 1) (both ends of the range of a product before truncation), 50 000
    truncations each: the coalition's view, binned by its top 8 bits below the mask width, has the
    same distribution (chi-square, 99.99th percentile about 343 for 255 degrees of freedom).  With
    masks only as wide as the value (the old 2^-12 rule) the same statistic is in the thousands."""
    rng = Prg()
    params = RealParams(128, F, 3)
    assert params.mask_bits == 126 and params.masked_distance_log2 <= -40
    count, low = 50_000, params.mask_bits - 8

    def top(view, shift):
        return np.array([v >> shift for v in RING128.to_python(view)], dtype=np.int64)
    secrets = (0, (1 << 128) - ((1 << 80) - 1))     # 0 and -(2^80 - 1)
    views = [top(_coalition_view(s, count, params.mask_bits, params.bias, rng), low) for s in secrets]
    stat, bins = _chi_square(views[0], views[1], 260)
    assert bins >= 250 and stat < 343
    narrow = 82                                       # masks 2 bits wider than the value
    weak = [top(_coalition_view(s, count, narrow, params.bias, rng), narrow - 8) for s in secrets]
    weak_stat, _ = _chi_square(weak[0], weak[1], 1 << 12)
    assert weak_stat > 5_000


def test_division_by_public_values_and_means():
    a = np.array([1.0, 2.0, 3.0, -1234.5678, 1e6, 7.25])

    def job(s):
        x = s_input(s, a, 0)
        return [api.reveal(x / 3), api.reveal(x / 1e6), api.reveal(x / 0.25), api.reveal(x / np.array([1, 2, 3, 4, 5, 6])),
                api.reveal(x[:3].mean()), compute.secure_mean(s, [1.0, 2.0, 3.0] if s.me == 0 else [])]
    for parties in (2, 3):
        for got in run(job, parties, triples="insecure-dealer"):
            t = 2 * parties * ULP
            for value, want in zip(got[:4], (a / 3, a / 1e6, a / 0.25, a / np.arange(1, 7))):
                assert np.all(np.abs(value - want) <= np.abs(want) * 2.0 ** -(2 * F) + t + np.abs(a) * 2.0 ** -41)
            assert abs(got[4] - 2.0) <= t
            assert got[5] == 2.0            # a revealed mean is the revealed sum / the public count, in float


def test_pooled_mean_and_variance_equal_numpy_in_1000_runs():
    """Salary-like data (10^4 .. 10^6), 1,000 runs of 5 observations per party batched in one session
    (axis=1), 2 and 3 parties: the mean within n 2^-(f+1) / N (plus float rounding) and the variance
    within the stated std 2^-g + 2^-(2g+2) (g = 19 for the default bound 2^40), never negative."""
    runs, k = 1000, 5
    rng = Prg()
    for parties in (2, 3):
        data = [10_000 + (rng.integers_below(99_000_000, runs * k).astype(np.float64) / 100).reshape(runs, k)
                for _ in range(parties)]
        data[0][0] = 987_654.32            # a constant run: the variance is exactly 0
        for d in data:
            d[0] = 987_654.32

        def job(s):
            return compute.secure_mean(s, data[s.me], axis=1), compute.secure_variance(s, data[s.me], axis=1)
        pooled = np.concatenate(data, axis=1)
        g = compute.variance_quantisation_bits(parties * k, 2.0 ** 40)
        assert g == 19
        for mean, var in run(job, parties):
            want_mean, want_var = pooled.mean(axis=1), pooled.var(axis=1)
            assert np.all(np.abs(mean - want_mean) <= parties * 2.0 ** -(F + 1) + 1e-15 * want_mean)
            bound = pooled.std(axis=1) * 2.0 ** -g + 2.0 ** -(2 * g + 2) + 1e-12 * want_var
            assert np.all(np.abs(var - want_var) <= bound)
            assert np.all(var >= 0) and var[0] == 0.0


def test_range_errors_name_the_bound():
    def job(s):
        errors = []
        if s.me == 0:
            with pytest.raises(RangeError, match=r"2\^40") as info:
                api.input(s, np.array([1.0, 2.0 ** 40]), owner=0)
            errors.append(isinstance(info.value, ValueError))
        x = s_input(s, np.array([3.0]), 1)
        with pytest.raises(RangeError, match=r"2\^40"):
            x * 2.0 ** 41
        with pytest.raises(RangeError, match=r"2\^40"):
            x * (2 ** 41)
        with pytest.raises(ConfigError):
            api.configure(s)
        return errors
    results = run(job, 2, triples="insecure-dealer")
    assert results[0] == [True]


def test_numpy_habits_broadcasting_shapes_and_errors():
    a = np.arange(6, dtype=np.float64).reshape(3, 2) - 2.5
    b = np.array([[1.5, -2.0]])
    c = np.array([[2.0], [0.5], [-1.0]])

    def job(s):
        x, y, z = s_input(s, a, 0), s_input(s, b, 1), s_input(s, c, 1)
        from mpc.ss import concatenate, stack
        out = {
            "bcast_mul": api.reveal(x * y), "bcast_add": api.reveal(y + z), "outer": api.reveal(y * z),
            "public_grow": api.reveal(y + np.ones((4, 1, 2))), "neg": api.reveal(-x),
            "index": api.reveal(x[1:, ::-1]), "item": api.reveal(x[2, 0]), "T": api.reveal(x.T),
            "reshape": api.reveal(x.reshape(2, 3)), "transpose": api.reveal(x.transpose(1, 0)),
            "sum0": api.reveal(x.sum(axis=0)), "sum1": api.reveal(x.sum(axis=1)),
            "mean0": api.reveal(x.mean(axis=0)), "concat": api.reveal(concatenate([x, y], axis=0)),
            "stack": api.reveal(stack([x[0], x[1]], axis=1)), "ring": x.ring.bits,
        }
        with pytest.raises(ShapeError) as info:
            x + s_input(s, np.ones(3), 0)
        out["error"] = str(info.value)
        out["is_value_error"] = isinstance(info.value, ValueError)
        return out
    tol = 4 * ULP
    want = {"bcast_mul": a * b, "bcast_add": b + c, "outer": b * c, "public_grow": b + np.ones((4, 1, 2)),
            "neg": -a, "index": a[1:, ::-1], "item": a[2, 0], "T": a.T, "reshape": a.reshape(2, 3),
            "transpose": a.T, "sum0": a.sum(axis=0), "sum1": a.sum(axis=1), "mean0": a.mean(axis=0),
            "concat": np.concatenate([a, b]), "stack": np.stack([a[0], a[1]], axis=1)}
    for parties in (2, 3):
        for got in run(job, parties, triples="insecure-dealer"):
            for key, value in want.items():
                assert np.shape(got[key]) == np.shape(value), key
                assert np.allclose(got[key], value, atol=tol, rtol=0), key
            assert got["ring"] == 128 and got["is_value_error"]
            assert "(3, 2)" in got["error"] and "(3,)" in got["error"]


def test_rings_are_explicit_and_do_not_mix(caplog):
    """Integers default to Z_2^64 and wrap like int64; ring=128 integers join reals; Z_2^64 reals are
    an explicit option that warns about its guarantees; mixing rings raises."""
    from mpc.errors import SessionMismatch

    def job(s):
        i64 = s_input(s, np.array([2 ** 33, -5]), 0)
        i128 = s_input(s, np.array([2 ** 33, -5]), 0, ring=128)
        real = s_input(s, np.array([0.5, 1.25]), 1)
        with pytest.raises(SessionMismatch, match="Z_2\\^64.*Z_2\\^128"):
            i64 * real
        with pytest.raises(SessionMismatch, match="ring=128"):
            i64 * 0.5
        return (i64.ring.bits, i128.ring.bits, real.ring.bits, api.reveal(i64 * i64), api.reveal(i128 * i128),
                api.reveal(i128 * real))
    for got in run(job, 2, triples="insecure-dealer"):
        assert got[:3] == (64, 128, 128)
        assert list(got[3]) == [0, 25]                       # 2^66 wraps to 0 modulo 2^64, like int64
        assert list(got[4]) == [2 ** 66, 25]                 # modulo 2^128 it does not
        assert np.allclose(got[5], [2 ** 32, -6.25], rtol=0, atol=2 * ULP)

    def weak(s):
        x = s_input(s, np.array([1.5]), 0)
        return x.ring.bits, x.fractional_bits, api.reveal(x * x)
    with caplog.at_level("WARNING", logger="mpc.ss"):
        results = run(weak, 2, triples="insecure-dealer", ring=64)
    assert all(r[:2] == (64, 16) and abs(r[2] - 2.25) <= 2 * 2.0 ** -16 for r in results)
    assert any("2^-16" in r.getMessage() and "Z_2^64" in r.getMessage() for r in caplog.records)
