"""The sigmoid approximation used inside training (on shares), and the exact one used for scores.

For mpc.ml.ss_* and mpc.ml.he_* (spec: protocols/lr-vertical.md, "Sigmoid").  Training uses the
clipped first-order Taylor polynomial of the logistic function ("hard sigmoid"):

    sigma~(z) = min(max(1/2 + z/4, 0), 1),
    |sigma(z) - sigma~(z)| <= 0.1193 for all z (attained at |z| = 2), <= 0.0208 for |z| <= 1,
    <= 0.0025 + e^-|z| for |z| >= 2 (the tails are exactly 0 and 1).

It runs as a garbled circuit on the shares of z (party 0 garbles): the circuit adds the shares,
clips z + 2 to [0, 4] at the residual scale 2^(FEATURE_BITS + WEIGHT_BITS) (255 AND gates per row
in Z_2^64) and hands party 1 the result plus party 0's fresh mask, so the parties hold shares of
4 sigma~(z); the guest then subtracts 4y locally: r = 4 (sigma~(z) - y).  With sigma~ in [0, 1],
SGD converges to the same ranking as logistic regression (the unclipped Taylor polynomial, FATE
SSHE-LR's choice, loses about 0.01 AUC on breast cancer; tests/test_ml_accuracy.py).  Scores at
prediction are the exact logistic function of the linear score.

`SharedSigmoid` is the one class to point at a different secret sigmoid (a minimax polynomial or
a finer piecewise form): its `residual_base` gets and returns shares.
"""
from __future__ import annotations

import functools

import numpy as np

from mpc.ss.randomness import random_bytes, random_uint64

SLOPE = 0.25
INTERCEPT = 0.5
NAME = "hard-sigmoid: min(max(1/2 + z/4, 0), 1)"
MAX_ERROR = 0.1193
WIDTH = 64
LIFT_WIDTH = 128      # he: integer shares out of the circuit, masked below 2^LIFT_MASK_BITS
LIFT_MASK_BITS = 104
LANES = 1024          # rows per circuit: one garbled instance handles up to LANES rows at once


def approximate(z):
    """The training approximation (plaintext, for reference and tests)."""
    return np.clip(INTERCEPT + SLOPE * np.asarray(z, dtype=np.float64), 0.0, 1.0)


def logistic(z):
    """The exact logistic function, numerically stable, for scores."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def label_term(labels: np.ndarray, scale_bits: int) -> np.ndarray:
    """-4y at 2^scale_bits as int64: the guest's local part of r = 4 (sigma~(z) - y)."""
    return -(np.asarray(labels, dtype=np.int64) << (scale_bits + 2))


def offset(scale_bits: int) -> int:
    """2 at 2^scale_bits: added by the guest to its share of z before the circuit."""
    return 2 << scale_bits


def _one_lane(upper: int, lift: bool):
    """One row: v = min(max(z_0 + z_1, 0), upper) (signed 64-bit z), output v - R mod 2^64, or with
    `lift` v + R mod 2^128 for a mask R < 2^LIFT_MASK_BITS (an integer share without wrap-around).
    Inputs: z_0 and R from party 0 (garbler), z_1 from party 1 (evaluator)."""
    from mpc.gc import CircuitBuilder
    b = CircuitBuilder(f"lr-hard-sigmoid-{upper}-{'lift' if lift else 'ring'}")
    z0 = b.input(WIDTH)
    mask = b.input(LIFT_WIDTH if lift else WIDTH)
    z1 = b.input(WIDTH)
    z = b.add(z0, z1)
    keep = b.inv(z[-1])                                   # z >= 0: the sign bit is 0
    v = [b.and_(keep, bit) for bit in z]                  # max(z, 0)
    high = [b.constant((upper >> i) & 1) for i in range(WIDTH)]
    v = b.mux(b.less_than(high, v, signed=True), high, v)  # min(., upper)
    if lift:
        b.output(b.add(v + [b.constant(0)] * (LIFT_WIDTH - WIDTH), mask))
    else:
        b.output(b.sub(v, mask))
    return b.build()


def replicate_lanes(circuit, lanes: int):
    """The circuit run on `lanes` independent rows as one circuit: input value v becomes lanes
    copies side by side (lane i at bits [size_v i, size_v (i+1))), the output likewise.  Built by
    renumbering the wires with numpy (the builder would take seconds for 10^6 gates).
    Candidate for mpc.gc: the GC runtime garbles one instance per native call."""
    from mpc.gc.circuit import CONST, Circuit
    sizes = list(circuit.input_sizes)
    n_in, n1 = sum(sizes), circuit.wire_count
    (out_w,) = circuit.output_sizes
    n_mid = n1 - n_in - out_w
    starts = np.cumsum([0] + sizes)
    # per original wire: (category start, category size, category base in the new numbering)
    cat_start = np.empty(n1, np.int64)
    cat_size = np.empty(n1, np.int64)
    cat_base = np.empty(n1, np.int64)
    base = 0
    for v, size in enumerate(sizes):
        part = slice(starts[v], starts[v] + size)
        cat_start[part], cat_size[part], cat_base[part] = starts[v], size, base
        base += lanes * size
    cat_start[n_in:n1 - out_w], cat_size[n_in:n1 - out_w], cat_base[n_in:n1 - out_w] = n_in, n_mid, base
    base += lanes * n_mid
    cat_start[n1 - out_w:], cat_size[n1 - out_w:], cat_base[n1 - out_w:] = n1 - out_w, out_w, base
    wires = circuit.wires.astype(np.int64)
    kinds = circuit.kinds
    is_const = kinds == CONST
    lane = np.arange(lanes, dtype=np.int64)[:, None, None]

    def remap(w):
        return cat_base[w] + lane * cat_size[w] + (w - cat_start[w])
    new = remap(wires)                                        # (lanes, gates, 3)
    new[:, is_const, 0] = wires[is_const, 0]                  # a constant's "input" is its bit
    new[:, is_const, 1] = 0
    return Circuit(n1 * lanes, tuple(s * lanes for s in sizes), (out_w * lanes,),
                   np.tile(kinds, lanes), new.reshape(-1, 3).astype(np.uint32),
                   name=f"{circuit.name}-x{lanes}")


@functools.lru_cache(maxsize=8)
def clip_circuit(upper: int, lift: bool, lanes: int):
    """`lanes` rows of the hard-sigmoid circuit as one instance: one garbling call per batch."""
    return replicate_lanes(_one_lane(upper, lift), lanes)


def clip_job(upper: int, lift: bool, count: int):
    """The GC job of one circuit run on `count` <= LANES rows (party 0 garbles; mpc.ml.costs prices it)."""
    from mpc.gc import EVALUATOR, GARBLER, Job
    return Job(clip_circuit(upper, lift, count), (GARBLER, GARBLER, EVALUATOR), (False,) * 3, 1, "evaluator")


def _pack(words: list, width: int) -> int:
    out = 0
    for i, w in enumerate(words):
        out |= int(w) << (width * i)
    return out


def _unpack(value: int, width: int, count: int) -> list:
    mask = (1 << width) - 1
    return [(value >> (width * i)) & mask for i in range(count)]


class SharedSigmoid:
    """Shares of 4 sigma~(z) from shares of z (+ 2 added by one party) through `gc_party`."""

    def __init__(self, channel, prg, me: int, gc_party):
        self.channel = channel
        self.prg = prg
        self.me = int(me)
        self.party = gc_party

    def _run(self, z_words: np.ndarray, upper: int, lift: bool) -> list:
        words = [int(v) for v in np.asarray(z_words, np.uint64).ravel()]
        out = []
        for first in range(0, len(words), LANES):
            out += self._run_lanes(words[first:first + LANES], upper, lift)
        return out

    def _run_lanes(self, zs: list, upper: int, lift: bool) -> list:
        from mpc.gc import EVALUATOR, GARBLER, run_job
        count = len(zs)
        out_width = LIFT_WIDTH if lift else WIDTH
        job = clip_job(upper, lift, count)
        if self.me == 0:
            if lift:
                raw = random_bytes(self.prg, count * LIFT_MASK_BITS // 8)
                step = LIFT_MASK_BITS // 8
                masks = [int.from_bytes(raw[i * step:(i + 1) * step], "little") for i in range(count)]
            else:
                masks = [int(v) for v in random_uint64(self.prg, count)]
            run_job(self.channel, GARBLER, job, [[_pack(zs, WIDTH)], [_pack(masks, out_width)]], party=self.party)
            return masks
        (result,) = run_job(self.channel, EVALUATOR, job, [[_pack(zs, WIDTH)]], party=self.party)
        return _unpack(result, out_width, count)

    def residual_base(self, z_share: np.ndarray, scale_bits: int) -> np.ndarray:
        """ss: my Z_2^64 share of 4 sigma~(z) at 2^scale_bits."""
        out = self._run(z_share, 4 << scale_bits, lift=False)
        return np.array(out, dtype=np.uint64)

    def residual_base_integer(self, z_share: list, scale_bits: int) -> list:
        """he: my integer share of 4 sigma~(z) from integer shares of z (|z| < 2^62: the shares
        reduced mod 2^64 sum to z mod 2^64).  Party 0's share is -R, party 1's v + R."""
        words = np.array([int(v) % (1 << 64) for v in z_share], dtype=np.uint64)
        out = self._run(words, 4 << scale_bits, lift=True)
        return [-m for m in out] if self.me == 0 else list(out)
