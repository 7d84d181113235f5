"""Comparisons for n >= 3 parties (GMW sign circuit + B2A, mpc.ss.compare_n) against numpy, their
bytes against the spec's formula, and the nonlinear functions with three parties.

Parties run as threads over the in-process transport; the Beaver triples of the B2A products come
from the insecure dealer (the GMW AND triples are always made by IKNP OT between every pair).
"""
import numpy as np
import pytest

from mpc.prg import Prg
from mpc.ss import api, compare_n, gmw, nonlinear as nl, share_words
from mpc.transport import run_threads
from ss_session import ThreadSession

F = 16
U = 2.0 ** -F


def run(fn, parties):
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        return fn(session)
    return run_threads(body, parties=parties, timeout=120)


def edge_integers(count):
    rng = Prg()
    random = (rng.uint64(count) >> np.uint64(2)).view(np.int64) - (1 << 61)       # |v| < 2^61
    edges = np.array([0, 1, -1, 2, -2, (1 << 62) - 1, -(1 << 62), 12345, -12345], dtype=np.int64)
    return np.concatenate([edges, random])


@pytest.mark.parametrize("parties", [3, 4])
def test_integer_comparisons_equal_numpy(parties):
    x = edge_integers(200)
    y = np.concatenate([x[:9][::-1], edge_integers(200)[9:]])
    y[20:40] = x[20:40]                                    # some ties

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        b = api.input(s, y if s.me == parties - 1 else None, owner=parties - 1)
        return [api.reveal(v) for v in (a < b, b < a, a == b, a > 7, a.maximum(b), a.max())]
    results = run(job, parties)
    expected = [x < y, y < x, x == y, x > 7, np.maximum(x, y), x.max()]
    for party_result in results:
        for got, want in zip(party_result, expected):
            assert np.array_equal(got, want)


def test_and_gates_and_triples_against_plain_bits():
    """The GMW layer on its own: XOR shares in, XOR shares of the AND out (3 parties)."""
    rng = Prg()
    x_bits = [np.unpackbits(np.frombuffer(rng.bytes(64), np.uint8), bitorder="little") for _ in range(3)]
    y_bits = [np.unpackbits(np.frombuffer(rng.bytes(64), np.uint8), bitorder="little") for _ in range(3)]

    def job(s):
        from mpc.ss.api import context
        ctx = context(s)
        a, b, c = gmw.bit_triples(ctx).take(1000)
        gates = gmw.AndGates(ctx, 512)
        return a, b, c, gates(x_bits[s.me], y_bits[s.me])
    shares = run(job, 3)
    a, b, c, z = (np.bitwise_xor.reduce([s[k] for s in shares]) for k in range(4))
    assert np.array_equal(c, a & b) and 300 < a.sum() < 700
    x, y = np.bitwise_xor.reduce(x_bits), np.bitwise_xor.reduce(y_bits)
    assert np.array_equal(z, x & y)


@pytest.mark.parametrize("parties", [3, 4])
def test_comparison_bytes_equal_the_formula(parties):
    count = 300
    x = edge_integers(count - 9)

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        _ = api.reveal(a < 0)                   # warm-up: base OTs of every pair, dealer seed
        before = {p: s.stats.protocol(p).bytes_sent for p in ("ss:gmw", "iknp", "ss:mul")}
        less = a < 0
        after = {p: s.stats.protocol(p).bytes_sent for p in ("ss:gmw", "iknp", "ss:mul")}
        return {p: after[p] - before[p] for p in after}, api.reveal(less)
    results = run(job, parties)
    assert np.array_equal(results[0][1], x < 0)
    sent = {p: sum(r[0][p] for r in results) for p in ("ss:gmw", "iknp", "ss:mul")}
    want = compare_n.costs(parties, 64, count)
    assert sent["iknp"] == want["triple_bytes"] + want["b2a_bytes"]
    assert sent["ss:gmw"] == want["online_bytes"]
    assert sent["ss:mul"] == 0                      # B2A by OT: no Beaver products


def test_circuit_shape_formulas():
    assert compare_n.layer_ands(3, 64) == [63, 63, 61, 31, 15, 7, 3, 1]
    assert compare_n.and_depth(3, 64) == 8 and compare_n.and_count(3, 64) == 244
    assert compare_n.and_depth(4, 128) == 2 + 1 + 7


def test_nonlinear_functions_with_three_parties():
    n = 3
    y = np.round(np.concatenate([np.geomspace(2.0 ** -8, 2.0 ** 16 - 1, 40),
                                 -np.geomspace(2.0 ** -8, 2.0 ** 16 - 1, 40)]) * 2 ** F) / 2 ** F
    s = np.round(np.linspace(-12, 12, 81) * 2 ** F) / 2 ** F

    def job(session):
        a = api.input(session, y if session.me == 1 else None, owner=1)
        b = api.input(session, s if session.me == 2 else None, owner=2)
        return (api.reveal(nl.reciprocal(a)), api.reveal(nl.sigmoid(b)), api.reveal(nl.relu(b)),
                api.reveal(nl.sqrt(nl.absolute(a))))
    recip, sig, relu, root = run(job, n)[0]
    assert np.all(np.abs(recip - 1 / y) <= 8 * n * U / np.abs(y) + n * U)
    assert np.max(np.abs(sig - 1 / (1 + np.exp(-s)))) <= (6 * n + 4) * U
    assert np.array_equal(relu, np.maximum(s, 0))
    magnitude = np.abs(y)
    assert np.all(np.abs(root - np.sqrt(magnitude)) <= 8 * n * U * np.sqrt(magnitude) + n * U)


@pytest.mark.parametrize("parties", [2, 3])
def test_with_ot_triples_the_ot_instances_share_channels(parties):
    """The secure default (Gilboa triples over IKNP) next to the comparisons' own IKNP instances on
    the same channels: results stay right (every IKNP message is consumed in protocol order)."""
    x = np.round(np.linspace(-6, 6, 25) * 2 ** F) / 2 ** F

    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="ot", fractional_bits=F)
        a = api.input(session, x if session.me == 0 else None, owner=0)
        return api.reveal(nl.relu(a) * a), api.reveal(nl.sigmoid(a, method="poly"))
    square, sig = run_threads(body, parties=parties, timeout=120)[0]
    assert np.all(np.abs(square - np.maximum(x, 0) * x) <= parties * U)
    assert np.max(np.abs(sig - 1 / (1 + np.exp(-x)))) <= 3.0e-3 + 2 * 13 * U


def test_gmw_openings_look_uniform_whatever_the_secret():
    """What party 1 learns in the AND layers (the opened e = x ^ a, f = y ^ b) is balanced for a
    secret of zeros and for one of -1s (all bits set), within 5 standard deviations."""
    original = gmw.AndGates._open
    for secret in (0, -1):
        seen = []

        def spy(self, bits, _seen=seen):
            opened = original(self, bits)
            if self.context.me == 1:
                _seen.append(opened.copy())
            return opened
        gmw.AndGates._open = spy
        try:
            x = np.full(200, secret, dtype=np.int64)
            run(lambda s: api.reveal(api.input(s, x if s.me == 0 else None, owner=0) < 0), 3)
        finally:
            gmw.AndGates._open = original
        bits = np.concatenate(seen)
        assert bits.size == 2 * 200 * compare_n.and_count(3, 64)
        assert abs(int(bits.sum()) - bits.size / 2) < 5 * np.sqrt(bits.size) / 2


@pytest.mark.parametrize("parties", [3, 4])
def test_thresholds_equal_numpy_and_their_bytes_the_formula(parties):
    from mpc.ss import piecewise as pw
    thresholds = np.array([-3.0, -U, 0.0, U, 0.5, 2.0 ** 10, 1000.25])
    around = np.concatenate([thresholds + d for d in (-U, 0.0, U)])
    x = np.concatenate([around, [-(2.0 ** 40), 2.0 ** 40]])

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        pw.at_least(a, thresholds[:2])           # warm-up: base OTs of every pair
        before = {p: s.stats.protocol(p).bytes_sent for p in ("ss:gmw", "iknp", "ss:mul")}
        flags = pw.at_least(a, thresholds)
        after = {p: s.stats.protocol(p).bytes_sent for p in ("ss:gmw", "iknp", "ss:mul")}
        return {p: after[p] - before[p] for p in after}, api.reveal(flags), share_words.ring_of(a).bits
    results = run(job, parties)
    assert np.array_equal(results[0][1], (x[None, :] >= thresholds[:, None]).astype(np.int64))
    sent = {p: sum(r[0][p] for r in results) for p in ("ss:gmw", "iknp", "ss:mul")}
    want = compare_n.threshold_costs(parties, results[0][2], x.size, thresholds.size)
    assert sent["iknp"] == want["triple_bytes"] + want["b2a_bytes"]
    assert sent["ss:gmw"] == want["online_bytes"] and sent["ss:mul"] == 0
