"""Comparisons of additive shares between two parties through garbled circuits: <, ==, max.

For SharedArray (mpc.ss.array).  Party 0 garbles, party 1 evaluates (mpc.gc).  Per element the
circuit takes party 0's shares x_0, y_0 and a fresh uniform mask R, and party 1's shares x_1, y_1;
it adds the shares mod 2^w (w = 64 or 128, the operands' ring: w - 1 AND gates each), computes
f(x, y) on the signed w-bit values and outputs f - R mod 2^w to party 1 only.  So party 0's new share is R and party 1's is f - R: the
result stays secret-shared and nobody sees the comparison bit.  Spec: protocols/ss-additive.md,
"Comparisons".
"""
from __future__ import annotations

import functools

import numpy as np


WIDTH = 64
_OPS = ("lt", "eq", "max")


@functools.lru_cache(maxsize=None)
def share_circuit(op: str, width: int = WIDTH):
    """Circuit of (f(x0 + x1, y0 + y1) - R) mod 2^w with inputs x0, y0, R (party 0), x1, y1 (party 1)."""
    from mpc.gc import CircuitBuilder
    if op not in _OPS:
        raise ValueError(f"unknown shared comparison {op!r}")
    b = CircuitBuilder(f"shared-{op}{width}")
    x0, y0, mask, x1, y1 = (b.input(width) for _ in range(5))
    x, y = b.add(x0, x1), b.add(y0, y1)
    if op == "max":
        value = b.maximum(x, y, signed=True)
    else:
        bit = b.less_than(x, y, signed=True) if op == "lt" else b.equal(x, y)
        value = [bit] + [b.constant(0)] * (width - 1)
    b.output(b.sub(value, mask))
    return b.build()


def _gc_party(context):
    party = getattr(context, "_gc_party", None)
    if party is None:
        from mpc.gc import Evaluator, Garbler
        channel = context.channel(1 - context.me)
        party = Garbler(channel, context.rng) if context.me == 0 else Evaluator(channel, context.rng)
        context._gc_party = party
    return party


def _operands(a, b):
    """Both operands as SharedArrays of one session, the same shape and fractional bits."""
    from mpc.ss.array import ADDITIVE, SharedArray
    anchor = a if isinstance(a, SharedArray) else b
    if not isinstance(anchor, SharedArray):
        raise TypeError("compare at least one SharedArray")
    if anchor.kind != ADDITIVE:
        raise TypeError("secret comparisons need additive shares (kind='additive')")
    a = a if isinstance(a, SharedArray) else _public_as_shared(anchor, a)
    b = b if isinstance(b, SharedArray) else _public_as_shared(anchor, b)
    a._check_secret(b, "compare")
    shape = a._broadcast_shape(b.shape, "compare")
    a, b = a._align(b)
    return a._new(a._spread(shape)), b._new(b._spread(shape))


def _public_as_shared(anchor, value):
    """A public value as a trivial sharing (party 0 holds it, party 1 zero) at the anchor's scale."""
    from mpc.ss.array import SharedArray
    array = anchor._public(value, "compare")
    anchor._broadcast_shape(array.shape, "compare", public=True)
    me = anchor._to_real("compare") if array.dtype.kind == "f" else anchor
    bits = me.fractional_bits
    encoded = me._encode_public(array, bits, array.shape)
    share = encoded.copy() if anchor.context.me == 0 else me.ring.zeros(array.shape)
    return SharedArray(anchor.context, share, anchor.kind, bits, me.ring)


def _run(op: str, x, y):
    """Shares of f(x, y) elementwise through one garbled-circuit job with one instance per element
    (two parties) or GMW and B2A (n >= 3 parties, mpc.ss.compare_n; protocols/ss-functions.md)."""
    from mpc.gc import EVALUATOR, GARBLER, Job, run_job
    ctx, ring = x.context, x.ring
    if ctx.parties > 2:
        return _run_many(op, x, y)
    count = x.size
    if count == 0:
        return ring.zeros(x.shape)
    job = Job(share_circuit(op, ring.bits), (GARBLER, GARBLER, GARBLER, EVALUATOR, EVALUATOR), (False,) * 5,
              count, "evaluator")
    xs, ys = ring.to_python(x.share), ring.to_python(y.share)
    if ctx.me == 0:
        mask = ring.random(ctx.rng, count)
        run_job(ctx.channel(1), GARBLER, job, [xs, ys, ring.to_python(mask)], party=_gc_party(ctx))
        return mask.reshape(x.shape)
    result = run_job(ctx.channel(0), EVALUATOR, job, [xs, ys], party=_gc_party(ctx))
    rows = [result] if count == 1 and isinstance(result, tuple) else result
    return ring.from_python([row[0] for row in rows], x.shape)


def _run_many(op: str, x, y) -> np.ndarray:
    from mpc.ss import compare_n
    if op == "lt":
        return compare_n.negative(x - y).share
    if op == "eq":   # equal iff neither x - y nor y - x is negative: both signs in one circuit run
        difference = (x - y).reshape(-1)
        both = difference[np.tile(np.arange(x.size), 2)] * np.repeat(np.array([1, -1]), x.size)
        signs = compare_n.negative(both)
        return (1 - signs[:x.size] - signs[x.size:]).share.reshape(x.shape)
    less = compare_n.negative(x - y)                  # max: x + [x < y] (y - x), exact
    return (x + less * (y - x)).share


def less_than(a, b):
    """Shares of the 0/1 integer array a < b (signed, at the common fixed-point scale)."""
    x, y = _operands(a, b)
    return x._new(_run("lt", x, y), 0)


def greater_than(a, b):
    x, y = _operands(a, b)
    return x._new(_run("lt", y, x), 0)


def equal(a, b):
    x, y = _operands(a, b)
    return x._new(_run("eq", x, y), 0)


def maximum(a, b):
    """Elementwise maximum, still secret-shared, at the common scale."""
    x, y = _operands(a, b)
    return x._new(_run("max", x, y))


def max_all(a):
    """The maximum of all elements: a tree of elementwise maxima, ceil(log2 n) circuit runs."""
    current = a.reshape(-1)
    if current.size == 0:
        raise ValueError("max of an empty array")
    while current.size > 1:
        half = current.size // 2
        paired = maximum(current[:half], current[half:2 * half])
        if current.size % 2:
            paired = current._new(np.concatenate([paired.share, current.share[-1:]]), paired.fractional_bits)
        current = paired
    return current.reshape(())
