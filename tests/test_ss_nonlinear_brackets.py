"""Two-party comparisons of one secret against many public thresholds (mpc.ss.brackets_gc): flags
against numpy at and around the thresholds, the circuit in the clear, bytes against the formula,
and what party 1 receives (the masked flags) does not depend on the secret."""
import numpy as np
import pytest

from mpc.ot.costs import iknp_bytes
from mpc.prg import Prg
from mpc.ss import api, brackets_gc, piecewise as pw, share_words
from mpc.transport import run_threads
from ss_session import ThreadSession

F = 16


def run(fn, parties=2):
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer", fractional_bits=F)
        return fn(session)
    return run_threads(body, parties=parties, timeout=120)


def test_circuit_in_the_clear():
    thresholds = (0, 1, -1, 1 << 20, -(1 << 40), (1 << 62), 12345)
    circuit = brackets_gc.threshold_circuit(64, thresholds)
    rng = Prg()
    for value in [0, 1, -1, 2, 1 << 20, (1 << 20) - 1, -(1 << 40), -(1 << 40) - 1, (1 << 62), 12344, 12345, -(1 << 63)]:
        x0 = int(rng.uint64(1)[0])
        x1 = (value - x0) % (1 << 64)
        masks = int(rng.uint64(1)[0]) & ((1 << len(thresholds)) - 1)
        (out,) = circuit.evaluate(x0, masks, x1)
        want = sum(int(value >= c) << t for t, c in enumerate(thresholds)) ^ masks
        assert out == want, value


def test_flags_equal_numpy_at_the_thresholds():
    u = 2.0 ** -F
    thresholds = np.array([-3.0, -u, 0.0, u, 0.5, 2.0 ** 10, 1000.25])
    around = np.concatenate([thresholds + d for d in (-u, 0.0, u)])
    x = np.concatenate([around, [-(2.0 ** 40), 2.0 ** 40, 0.0]])

    def job(s):
        a = api.input(s, x if s.me == 1 else None, owner=1)
        return api.reveal(pw.at_least(a, thresholds))
    got = run(job)[0]
    assert np.array_equal(got, (x[None, :] >= thresholds[:, None]).astype(np.int64))


def test_integers_and_empty_arrays():
    x = np.array([-5, 0, 7, 2 ** 50], dtype=np.int64)

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        empty = api.input(s, np.zeros(0) if s.me == 0 else None, owner=0)
        return api.reveal(pw.at_least(a, [0, 7])), pw.at_least(empty, [1.0]).shape
    flags, shape = run(job)[0]
    assert np.array_equal(flags, [[0, 1, 1, 1], [0, 0, 1, 1]]) and shape == (1, 0)


def test_bytes_equal_the_formula():
    from mpc.gc import EVALUATOR, GARBLER, Job
    from mpc.gc.job import run_bytes
    count, thresholds = 200, np.arange(-8, 9, dtype=np.float64)
    x = np.linspace(-10, 10, count)

    def job(s):
        a = api.input(s, x if s.me == 0 else None, owner=0)
        pw.at_least(a, [0.0])                     # warm-up: GC and OT set-up
        before = {p: s.stats.protocol(p).bytes_sent for p in ("gc", "iknp")}
        pw.at_least(a, thresholds)
        return {p: s.stats.protocol(p).bytes_sent - before[p] for p in before}, share_words.ring_of(a).bits
    results = run(job)
    sent, width = [r[0] for r in results], results[0][1]
    encoded = tuple(int(v) for v in np.round(thresholds * 2 ** F).astype(np.int64))
    gc_job = Job(brackets_gc.threshold_circuit(width, encoded), (GARBLER, GARBLER, EVALUATOR),
                 (False,) * 3, count, "evaluator")
    gc = run_bytes(gc_job)
    conversion = iknp_bytes("chosen-ot", thresholds.size * count, width // 8)
    total = sum(s["gc"] + s["iknp"] for s in sent)
    assert total == gc["garbler"] + gc["evaluator"] + conversion["sender"] + conversion["receiver"]
    # ANDs per element: the adder (w - 1) and at most w per threshold
    assert gc_job.circuit.and_count <= width - 1 + width * thresholds.size


def test_party_one_sees_uniform_masked_flags():
    """The evaluator's outputs m_t = flag_t ^ r_t: for a secret of all-ones flags and one of
    all-zero flags, the bits it decodes are balanced alike (two-sided binomial bounds, 10^-6)."""
    import mpc.ss.brackets_gc as module
    seen = {}
    original = module.gmw.ot_roles

    for label, value in (("low", -100.0), ("high", 100.0)):
        captured = []

        def spy(context, peer, _captured=captured):
            sender, receiver = original(context, peer)
            if context.me == 1:
                class Recording:
                    def chosen(self, choices, length):
                        _captured.append(np.array(choices))
                        return receiver.chosen(choices, length)
                return sender, Recording()
            return sender, receiver
        module.gmw.ot_roles = spy
        try:
            x = np.full(400, value)
            run(lambda s: pw.at_least(api.input(s, x if s.me == 0 else None, owner=0),
                                      np.linspace(-50, 50, 10)).shape)
        finally:
            module.gmw.ot_roles = original
        seen[label] = np.concatenate(captured)
    for bits in seen.values():
        n = bits.size                     # 4000 bits: mean 2000, sd 31.6; 5 sd
        assert abs(int(bits.sum()) - n / 2) < 5 * np.sqrt(n) / 2


@pytest.mark.parametrize("width", [64, 128])
def test_circuit_in_the_clear_random_thresholds(width):
    """Shared-prefix thresholds (small, both signs, powers of two) and random ones, each value
    tried at, just below and just above every threshold."""
    rng = Prg()
    half = 1 << (width - 1)
    small = [int(v) for v in (rng.uint64(12) >> np.uint64(40)).view(np.int64) - (1 << 23)]
    wide = [int.from_bytes(rng.bytes(width // 8), "little") - half for _ in range(4)]
    thresholds = tuple(small + wide + [1 << 20, -(1 << 20), 0, -half, half - 1])
    circuit = brackets_gc.threshold_circuit(width, thresholds)
    values = [t + d for t in thresholds for d in (-1, 0, 1) if -half <= t + d < half]
    for value in values:
        x0 = int.from_bytes(rng.bytes(width // 8), "little")
        x1 = (value - x0) % (1 << width)
        (out,) = circuit.evaluate(x0, 0, x1)
        want = sum(int(value >= c) << t for t, c in enumerate(thresholds))
        assert out == want, (value, out ^ want)
