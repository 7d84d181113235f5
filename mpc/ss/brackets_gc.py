"""Two parties: one secret against T public thresholds in one garbled circuit, flags out as
additive shares by one OT each.  The fast path of mpc.ss.piecewise.at_least for n = 2.

For mpc.ss.piecewise.  Per element the circuit (width-generic: w = the array's ring width) takes
party 0's share x_0 and T random mask bits r_t, and party 1's share x_1; it adds the shares (w - 1
AND gates), compares x with every threshold c_t as signed w-bit integers against constants
(at most w AND gates each, fewer for thresholds with trailing zero bits), and reveals
m_t = [x >= c_t] XOR r_t to party 1 only.  Then one chosen-message OT per flag turns the XOR
sharing (r_t at party 0, m_t at party 1) into additive shares of the ring: party 0 sends the pair
(z, z + 1 - 2 r_t) (w-bit words, z uniform), party 1 picks with m_t, so party 1 holds
z + m_t (1 - 2 r_t), party 0 holds r_t - z, and the sum is r_t + m_t - 2 r_t m_t = flag_t.
Party 1 sees only m_t (uniform), party 0 nothing from party 1.  Compared with T separate `<`
circuits (each 3 adders and a comparison, 4w ANDs, plus its own label transfer) this is about
T w + w ANDs.  Spec: protocols/ss-functions.md, "Comparisons with public thresholds".
"""
from __future__ import annotations

import functools

import numpy as np

from mpc.ss import gmw, share_words
from mpc.ss.randomness import random_bits


@functools.lru_cache(maxsize=64)
def threshold_circuit(width: int, thresholds: tuple):
    """Inputs x0 (w), r (T) of party 0 and x1 (w) of party 1; output [x0 + x1 >= c_t] ^ r_t."""
    from mpc.gc import CircuitBuilder
    b = CircuitBuilder(f"thresholds{width}x{len(thresholds)}")
    x0, masks, x1 = b.input(width), b.input(len(thresholds)), b.input(width)
    x = b.add(x0, x1)
    x = x[:-1] + [b.inv(x[-1])]              # signed order = unsigned order with the sign bit flipped
    trie = _PrefixComparator(b, x)
    out = []
    for c, r in zip(thresholds, masks):
        below = trie.less_than((int(c) % (1 << width)) ^ (1 << (width - 1)))
        if isinstance(below, _Known):            # flag known: output the mask (or its inverse)
            out.append(b.inv(r) if below.value == 0 else b.xor(r, b.constant(0)))
        else:
            out.append(b.xor(b.inv(below), r))
    b.output(out)
    return b.build()


class _Known:
    """A bit whose value the circuit knows (no wire): 0 or 1."""
    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value


class _PrefixComparator:
    """[x < c] for public constants c, most significant bit first, sharing work between constants.

    After the top bits w-1 .. i the state is (eq, lt): x and c agree on them / x is already below.
    Next bit with c_i = 1: t = eq & ~x_i, lt ^= t (lt and t exclude each other), eq ^= t; with
    c_i = 0: eq &= ~x_i.  One AND per step (none while eq is the known 1), and a constant stops
    at its lowest set bit (the bits below cannot make x smaller).  States are cached by the prefix
    of c, so constants with common top bits (small thresholds: long runs of equal top bits) share
    them: T powers of two cost about w + T AND in all."""

    def __init__(self, builder, bits):
        self.b, self.x, self.width = builder, bits, len(bits)
        self.states = {(self.width, 0): (_Known(1), _Known(0))}

    def _state(self, position: int, prefix: int):
        key = (position, prefix)
        if key not in self.states:
            eq, lt = self._state(position + 1, prefix >> 1)
            b, xi = self.b, self.x[position]
            if prefix & 1:
                t = b.inv(xi) if isinstance(eq, _Known) else b.and_(eq, b.inv(xi))
                lt = t if isinstance(lt, _Known) else b.xor(lt, t)
                eq = xi if isinstance(eq, _Known) else b.xor(eq, t)
            else:
                eq = b.inv(xi) if isinstance(eq, _Known) else b.and_(eq, b.inv(xi))
            self.states[key] = (eq, lt)
        return self.states[key]

    def less_than(self, c: int):
        if c == 0:
            return _Known(0)
        lowest = (c & -c).bit_length() - 1        # the lowest set bit: the state there is final
        return self._state(lowest, c >> lowest)[1]


def at_least(x, thresholds):
    """Integer 0/1 shares (T, N) of [x_i >= thresholds[t]] for x of a two-party session; the
    thresholds are public Python integers (x's scale already applied)."""
    from mpc.gc import EVALUATOR, GARBLER, Job, run_job
    from mpc.ss.compare import _gc_party
    ctx, ring = x.context, share_words.ring_of(x)
    flat = x.reshape(-1)
    count, kinds = flat.size, len(thresholds)
    anchor = flat[np.tile(np.arange(count), kinds)].reshape(kinds, count)
    if count == 0 or kinds == 0:
        return anchor._new(ring.zeros(anchor.shape), 0)
    circuit = threshold_circuit(ring.bits, tuple(int(t) for t in thresholds))
    job = Job(circuit, (GARBLER, GARBLER, EVALUATOR), (False, False, False), count, "evaluator")
    shares = ring.to_python(flat.share)
    sender, receiver = gmw.ot_roles(ctx, 1 - ctx.me)
    word_bytes = ring.bits // 8
    if ctx.me == 0:
        masks = random_bits(ctx.rng, count * kinds).reshape(count, kinds)
        weights = [1 << t for t in range(kinds)]
        mask_ints = [sum(w for w, bit in zip(weights, row) if bit) for row in masks.tolist()]
        run_job(ctx.channel(1), GARBLER, job, [shares, mask_ints], party=_gc_party(ctx))
        r = np.ascontiguousarray(masks.T).reshape(-1).astype(np.int64)   # (T * N,), flag-major
        z = ring.random(ctx.rng, r.size)
        offered = ring.add(z, ring.from_int(1 - 2 * r))
        sender.chosen(_as_bytes(ring, z, word_bytes), _as_bytes(ring, offered, word_bytes))
        mine = ring.sub(ring.from_int(r), z)
    else:
        result = run_job(ctx.channel(0), EVALUATOR, job, [shares], party=_gc_party(ctx))
        rows = [result] if count == 1 and isinstance(result, tuple) else result
        flags = np.array([[(row[0] >> t) & 1 for t in range(kinds)] for row in rows], dtype=np.uint8)
        choices = np.ascontiguousarray(flags.T).reshape(-1)
        got = receiver.chosen(choices, word_bytes)
        mine = ring.from_wire(np.ascontiguousarray(got).view(np.uint64), (choices.size,))
    return anchor._new(mine.reshape(kinds, count), 0)


def _as_bytes(ring, elements, word_bytes: int) -> np.ndarray:
    return np.ascontiguousarray(ring.to_wire(elements), dtype=np.uint64).view(np.uint8).reshape(-1, word_bytes)
