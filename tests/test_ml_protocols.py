"""mpc.ml building blocks: the plaintext x share product (vs numpy), the garbled-circuit update
(vs a Python reference), exact byte formulas, and what the receiver of a product sees."""
import numpy as np
import pytest

from mpc.ml import costs, fixedpoint
from mpc.ml.ole import PlainProduct
from mpc.ml.update import SharedUpdate
from mpc.runtime import Session
from mpc.transport import run_threads

SEED = np.random.default_rng(20261201)   # test data only; the package uses the session PRG


def _pair(fn):
    return run_threads(lambda endpoint: fn(Session(endpoint)), parties=2, timeout=60)


@pytest.mark.parametrize("k,width", [(7, 300), (300, 3), (1, 1)])
def test_plain_product_matches_numpy(k, width):
    matrix = SEED.integers(-2**20, 2**20, size=(k, width))
    vector = SEED.integers(-2**62, 2**62, size=k).astype(np.int64).view(np.uint64)

    def job(s):
        product = PlainProduct(s.channel(1 - s.me), s.rng, s.id, s.me)
        if s.me == 0:
            return product.send(matrix), product.send(matrix, total=False)
        return product.receive(vector, width), product.receive(vector, width, total=False)
    (a, b), (c, d) = _pair(job)
    with np.errstate(over="ignore"):
        expected = (vector.view(np.int64).astype(object) @ matrix.astype(object)) % (1 << 64)
        assert [int(v) for v in a + c] == [int(v) for v in expected]
        rows = (vector.view(np.int64)[:, None].astype(object) * matrix.astype(object)) % (1 << 64)
        assert np.array_equal((b + d).astype(object), rows)


def test_plain_product_bytes_equal_formula():
    k, width = 20, 1024

    def job(s):
        product = PlainProduct(s.channel(1 - s.me), s.rng, s.id, s.me)
        matrix = np.ones((k, width), np.int64)
        product.send(matrix) if s.me == 0 else product.receive(np.zeros(k, np.uint64), width)  # base OTs
        s.stats.reset()
        product.send(matrix) if s.me == 0 else product.receive(np.zeros(k, np.uint64), width)
        return s.stats.protocol().bytes_sent
    sender, receiver = _pair(job)
    formula = costs.product_traffic(k, width)
    assert sender == formula["sender"] and receiver == formula["receiver"]


def _reference_update(w, g, c, t, c2, t2, decay):
    wmax = int(fixedpoint.WEIGHT_CLIP * (1 << fixedpoint.WEIGHT_BITS))
    out = []
    for wi, gi, di in zip(w.tolist(), g.tolist(), decay.tolist()):
        new = wi - ((gi * c) >> t) - (((wi * c2) >> t2) if di else 0)
        out.append(min(max(new, -wmax), wmax))
    return np.array(out, dtype=np.int64)


def test_update_circuit_matches_reference_and_bytes():
    count = 9
    w = SEED.integers(-2**19, 2**19, count)
    g = SEED.integers(-2**50, 2**50, count)
    g[0], w[1] = -2**61, 2**20 - 3          # saturation at +WMAX
    decay = np.array([1] * (count - 1) + [0], np.uint8)
    w0 = SEED.integers(0, 2**63, count).astype(np.uint64)
    g0 = SEED.integers(0, 2**63, count).astype(np.uint64)
    with np.errstate(over="ignore"):
        w1, g1 = w.view(np.uint64) - w0, g.view(np.uint64) - g0
    c, t = fixedpoint.constant(0.1 / (4 * 1024 * 2.0 ** 14))
    c2, t2 = fixedpoint.constant(1e-4)

    def job(s):
        update = SharedUpdate(s.channel(1 - s.me), s.rng, s.me)
        mine = (w0, g0) if s.me == 0 else (w1, g1)
        update.step(*mine, c, t, c2, t2, decay=decay)              # GC set-up on the first run
        s.stats.reset()
        new = update.step(*mine, c, t, c2, t2, decay=decay)
        return new, s.stats.protocol().bytes_sent
    (a, sent0), (b, sent1) = _pair(job)
    with np.errstate(over="ignore"):
        assert np.array_equal((a + b).view(np.int64), _reference_update(w, g, c, t, c2, t2, decay))
    formula = costs.gc_update_bytes(count, (c, t, c2, t2))
    assert (sent0, sent1) == (formula["garbler"], formula["evaluator"])


def _chi_square_uniform_bytes(data: bytes) -> float:
    counts = np.bincount(np.frombuffer(data, np.uint8), minlength=256).astype(np.float64)
    expected = len(data) / 256
    return float(((counts - expected) ** 2 / expected).sum())


def test_receiver_view_is_uniform_whatever_the_senders_matrix():
    """What the receiver gets (the corrections) is uniform bytes for an all-zero matrix and for
    a matrix of large values alike: chi-square on 256 byte values, threshold 343 (255 degrees of
    freedom, false alarm 1e-4)."""
    k, width = 8, 4096
    views = {}
    for name, matrix in {"zeros": np.zeros((k, width), np.int64),
                         "large": np.full((k, width), 2**20 - 1, np.int64)}.items():
        def job(s, matrix=matrix):
            product = PlainProduct(s.channel(1 - s.me), s.rng, s.id, s.me)
            if s.me == 0:
                product.send(matrix)
                return None
            seen = []
            original = product.channel.recv_exact

            def spy(tag, dtype, shape, timeout=None):
                array = original(tag, dtype, shape, timeout=timeout)
                seen.append(bytes(array))
                return array
            product.channel.recv_exact = spy
            product.receive(SEED.integers(0, 2**63, k).astype(np.uint64), width)
            return b"".join(seen)
        views[name] = _pair(job)[1]
    for name, data in views.items():
        assert _chi_square_uniform_bytes(data) < 343, name


def test_budget_rejects_overflowing_batches():
    fixedpoint.check_budget(1024, 30, weighted=False)
    fixedpoint.check_budget(1024, 30, weighted=True)
    with pytest.raises(Exception, match="batch-size"):
        fixedpoint.check_budget(1 << 20, 1000, weighted=True)


@pytest.mark.parametrize("lift", [False, True])
def test_hard_sigmoid_circuit_matches_reference(lift):
    from mpc.ml.sigmoid import SharedSigmoid
    from mpc.ml.update import SharedUpdate
    scale = fixedpoint.residual_scale()
    z = np.concatenate([SEED.integers(-2**30, 2**30, 200), [-(2 << scale), 2 << scale, 0, -1, 2**35, -2**35]])
    z0 = SEED.integers(0, 2**63, z.size).astype(np.uint64)
    with np.errstate(over="ignore"):
        z1 = z.astype(np.int64).view(np.uint64) - z0

    def job(s):
        gc = SharedUpdate(s.channel(1 - s.me), s.rng, s.me)
        sig = SharedSigmoid(s.channel(1 - s.me), s.rng, s.me, gc.party)
        mine = z0 if s.me == 0 else z1
        if lift:   # integer shares in (any integers summing to z), integer shares out
            big = [int(v) + (1 << 150) for v in mine.view(np.int64)] if s.me == 0 else \
                [int(v) - (1 << 150) for v in mine.view(np.int64)]
            return sig.residual_base_integer(big, scale)
        return sig.residual_base(mine, scale)
    a, b = _pair(job)
    expected = np.clip(z, 0, 4 << scale)
    if lift:
        assert [x + y for x, y in zip(a, b)] == [int(v) for v in expected]
    else:
        with np.errstate(over="ignore"):
            assert np.array_equal((a + b).view(np.int64), expected)


def _host_view(guest_x, labels, host_x):
    """Every frame the host receives during a one-epoch ss fit, by tag (set-up JSON excluded)."""
    from mpc.ml import VerticalLogisticRegression
    seen = {}

    def job(s):
        if s.me == 1:
            original = s.endpoint.recv

            def spy(peer, tag, timeout=None):     # the host's endpoint only (an instance attribute)
                frames = original(peer, tag, timeout)
                if tag not in ("ml:hello", "gc:key"):
                    seen.setdefault(":".join(tag.split(":")[:2]), []).extend(bytes(f) for f in frames)
                return frames
            s.endpoint.recv = spy
            VerticalLogisticRegression(s, epochs=1, batch_size=64).fit(host_x)
        else:
            VerticalLogisticRegression(s, epochs=1, batch_size=64).fit(guest_x, labels)
    _pair(job)
    return seen


def test_host_view_does_not_depend_on_the_guests_data():
    """What the host receives in an epoch (OT columns, product corrections, garbled tables, its
    final shares) is uniform bytes whether the guest's features and labels are all zero or large
    and informative: per protocol family a chi-square on the 256 byte values, threshold 343 (255
    degrees of freedom, false alarm 1e-4), and the same message sizes in both runs."""
    rows = 256
    host_x = SEED.normal(size=(rows, 3))
    runs = {"zeros": (np.zeros((rows, 2)), np.zeros(rows, np.int64)),
            "informative": (SEED.normal(size=(rows, 2)) * 5, (host_x[:, 0] > 0).astype(np.int64))}
    views = {name: _host_view(gx, y, host_x) for name, (gx, y) in runs.items()}
    assert {k: [len(f) for f in v] for k, v in views["zeros"].items()} == \
        {k: [len(f) for f in v] for k, v in views["informative"].items()}
    for name, view in views.items():
        for family in ("ml:ole", "iknp:u", "ml:ss", "gc:tables", "gc:inputs"):
            data = b"".join(view.get(family, []))
            if len(data) >= 4096:
                assert _chi_square_uniform_bytes(data) < 343, (name, family)
