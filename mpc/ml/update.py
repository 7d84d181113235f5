"""The one nonlinear step of the ss protocol: the SGD update of the secret-shared weights, as a
garbled circuit on the shares (spec: protocols/lr-vertical.md, "Update").

For mpc.ml.ss_guest / ss_host.  Per parameter the circuit takes party 0's shares w_0, g_0 and a
fresh mask R, and party 1's shares w_1, g_1 (all in Z_2^64), and computes

    w = w_0 + w_1,  g = g_0 + g_1                          (signed 64-bit, exact by the budget)
    w' = w - floor(c g / 2^t) - floor(c2 w / 2^t2)           (in 82-bit arithmetic)
    w' = min(max(w', -WMAX), WMAX)                           (saturation at WEIGHT_CLIP)

(the decay term only where party 0's public flag says so: not for the intercept)
and gives w' - R mod 2^64 to party 1 only; party 0's new share is R.  So neither party sees a
gradient or a weight.  c / 2^t = lr / (4 B 2^(gradient scale - weight scale)) and c2 / 2^t2 = lr * l2
with 16-bit c, c2 (mpc.ml.fixedpoint.constant).  Party 0 garbles, party 1 evaluates (mpc.gc).
A second circuit (`stop_circuit`) tells both parties one bit per epoch: whether every weight moved
by at most tol (early stopping).
"""
from __future__ import annotations

import functools

import numpy as np

from mpc.ml import fixedpoint
from mpc.ss.randomness import random_uint64

WIDTH = 64
WIDE = 82


def _sign_extend(bits, width):
    return list(bits) + [bits[-1]] * (width - len(bits))


def _times_constant(b, value_bits, c: int):
    """value * c mod 2^WIDE for a public c > 0: shift-and-add over the set bits of c."""
    acc = None
    for k in range(c.bit_length()):
        if not (c >> k) & 1:
            continue
        if acc is None:
            acc = [b.constant(0)] * k + value_bits[:WIDE - k]
            continue
        acc = acc[:k] + b.add(acc[k:], value_bits[:WIDE - k])
    return acc


def _shift_right(bits, t: int):
    """Arithmetic shift right of a WIDE-bit value, low WIDTH bits of the result."""
    return (list(bits[t:]) + [bits[-1]] * t)[:WIDTH]


def _constant_bits(b, value: int):
    value %= 1 << WIDTH
    return [b.constant((value >> i) & 1) for i in range(WIDTH)]


@functools.lru_cache(maxsize=64)
def update_circuit(c: int, t: int, c2: int, t2: int, wmax: int):
    from mpc.gc import CircuitBuilder
    b = CircuitBuilder(f"lr-update-{c}-{t}-{c2}-{t2}")
    w0, g0, mask = (b.input(WIDTH) for _ in range(3))
    (decay_on,) = b.input(1)
    w1, g1 = b.input(WIDTH), b.input(WIDTH)
    w, g = b.add(w0, w1), b.add(g0, g1)
    step = _shift_right(_times_constant(b, _sign_extend(g, WIDE), c), t)
    new = b.sub(w, step)
    if c2:
        decay = _shift_right(_times_constant(b, _sign_extend(w, WIDE), c2), t2)
        new = b.sub(new, [b.and_(decay_on, bit) for bit in decay])
    high, low = _constant_bits(b, wmax), _constant_bits(b, -wmax)
    new = b.mux(b.less_than(high, new, signed=True), high, new)
    new = b.mux(b.less_than(new, low, signed=True), low, new)
    b.output(b.sub(new, mask))
    return b.build()


@functools.lru_cache(maxsize=8)
def stop_circuit(limit: int, count: int):
    """One output bit: all |(a_0 + a_1) - (b_0 + b_1)| <= limit over `count` values (inputs are
    count-word vectors: a_0, b_0 from party 0, a_1, b_1 from party 1)."""
    from mpc.gc import CircuitBuilder
    b = CircuitBuilder(f"lr-stop-{limit}-{count}")
    a0, b0, a1, b1 = (b.input(WIDTH * count) for _ in range(4))
    high, low = _constant_bits(b, limit), _constant_bits(b, -limit)
    ok = None
    for i in range(count):
        part = slice(WIDTH * i, WIDTH * (i + 1))
        diff = b.sub(b.add(a0[part], a1[part]), b.add(b0[part], b1[part]))
        inside = b.and_(b.inv(b.less_than(high, diff, signed=True)), b.inv(b.less_than(diff, low, signed=True)))
        ok = inside if ok is None else b.and_(ok, inside)
    b.output([ok])
    return b.build()


class SharedUpdate:
    """Runs the update and stop circuits between party 0 (garbler) and party 1 (evaluator)."""

    def __init__(self, channel, prg, me: int):
        from mpc.gc import Evaluator, Garbler
        self.me = int(me)
        self.prg = prg
        self.channel = channel
        self.party = Garbler(channel, prg) if self.me == 0 else Evaluator(channel, prg)

    def step(self, weights: np.ndarray, gradient: np.ndarray, c: int, t: int, c2: int, t2: int,
             decay: np.ndarray | None = None) -> np.ndarray:
        """My new share of the weights (same shape) after one SGD step; `decay` (public 0/1 per
        parameter, default all 1) says which parameters the L2 term applies to (not the intercept)."""
        from mpc.gc import EVALUATOR, GARBLER, Job, run_job
        wmax = int(round(fixedpoint.WEIGHT_CLIP * (1 << fixedpoint.WEIGHT_BITS)))
        circuit = update_circuit(c, t, c2, t2, wmax)
        count = weights.size
        job = Job(circuit, (GARBLER, GARBLER, GARBLER, GARBLER, EVALUATOR, EVALUATOR), (False,) * 6, count,
                  "evaluator")
        flags = [1] * count if decay is None else [int(v) for v in np.asarray(decay).ravel()]
        ws = [int(v) for v in np.asarray(weights, np.uint64).ravel()]
        gs = [int(v) for v in np.asarray(gradient, np.uint64).ravel()]
        if self.me == 0:
            mask = random_uint64(self.prg, count)
            run_job(self.channel, GARBLER, job, [ws, gs, [int(v) for v in mask], flags], party=self.party)
            return mask.reshape(weights.shape)
        result = run_job(self.channel, EVALUATOR, job, [ws, gs], party=self.party)
        rows = [result] if count == 1 and isinstance(result, tuple) else result
        return np.array([row[0] for row in rows], dtype=np.uint64).reshape(weights.shape)

    def converged(self, new: np.ndarray, old: np.ndarray, tol: float) -> bool:
        """Both parties learn whether every weight moved by at most tol (one bit)."""
        from mpc.gc import EVALUATOR, GARBLER, Job, run_job
        limit = int(round(tol * (1 << fixedpoint.WEIGHT_BITS)))
        count = new.size
        circuit = stop_circuit(limit, count)
        job = Job(circuit, (GARBLER, GARBLER, EVALUATOR, EVALUATOR), (False,) * 4, 1, "both")
        pack = lambda a: int.from_bytes(np.asarray(a, np.uint64).ravel().astype("<u8").tobytes(), "little")
        role = GARBLER if self.me == 0 else EVALUATOR
        result = run_job(self.channel, role, job, [[pack(new)], [pack(old)]], party=self.party)
        return bool(result[0])
