"""Named joint computations over a session: every party calls the same function with its own data
and gets the agreed result; nothing else about the other parties' data is revealed.

For users who want one call instead of SharedArray arithmetic.  Integers are exact modulo 2^64
(numpy int64 semantics); floats run in fixed point (protocols/ss-additive.md gives the error).
Public by design: shapes, and for pooled statistics the total number of observations.

    secure_sum(s, value)            sum over the parties of their arrays (elementwise)
    secure_mean(s, samples, axis=None)      mean of all parties' observations pooled together:
                                    the revealed pooled sum divided by the public count in float
    secure_variance(s, samples, axis=None, bound=2**40)  population variance of the pooled
                                    observations, exact integer arithmetic on values quantised to
                                    2^-g (g from the bound and the count), never negative
    dot(s, vector, owners=(0, 1))   inner product of party 0's and party 1's vectors
    matmul(s, matrix, owners=(0, 1))  product of party 0's and party 1's matrices
    millionaires(s, wealth)         which of two parties is richer (garbled circuits)
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from mpc.errors import MpcError, RangeError
from mpc.ss import api
from mpc.ss.ring import RING128

SUM_BOUND_BITS = 100     # a sum that is only added and revealed may use Z_2^128 up to 2^100 (scaled)
EXACT_BITS = 126         # N * sum q^2 and (sum q)^2 stay below 2^126 in the exact variance
MAX_VARIANCE_BITS = 20   # at most 20 fractional bits of quantisation (as reals)


def _contribute(session, value, *, fractional: bool | None = None):
    """Every party's `value` as a SharedArray, in party order (each party inputs its own)."""
    ctx = api.context(session)
    shared = []
    for owner in range(ctx.parties):
        mine = None
        if owner == ctx.me:
            mine = np.asarray(value)
            if fractional:
                mine = mine.astype(np.float64)
        shared.append(api.input(session, mine, owner=owner))
    return shared


def _total(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _floating(session, value) -> bool:
    """Whether any party contributes floats: one bit per party, opened (the encoding is public)."""
    ctx = api.context(session)
    mine = np.asarray(value).dtype.kind == "f"
    flags = ctx.open_sum("ss:compute-kind", np.array([1 if mine else 0], np.uint64))
    return bool(flags[0])


def secure_sum(session, value, *, to=None):
    """Elementwise sum of every party's `value` (same shape at all parties), revealed to `to`."""
    floating = _floating(session, value)
    return api.reveal(_total(_contribute(session, value, fractional=floating)), to=to)


def _pooled_count(session, samples, axis) -> int:
    ctx = api.context(session)
    local = samples.size if axis is None else samples.shape[axis]
    count = ctx.open_sum("ss:compute-count", np.array([local], np.uint64))
    total = int(count[0])
    if total == 0:
        raise ValueError("no observations at any party")
    return total


def _scaled_inputs(session, elements: np.ndarray, fractional_bits: int):
    """Every party's Z_2^128 elements (already scaled), shared, in party order."""
    ctx = api.context(session)
    return [api.input_elements(ctx, elements if owner == ctx.me else None, owner, fractional_bits, RING128)
            for owner in range(ctx.parties)]


def secure_mean(session, samples, *, axis=None, to=None):
    """Mean of the observations of all parties together (each party may hold a different number).

    The mean is revealed anyway, so the pooled sum is revealed and divided by the public count in
    float64: exact for the sum of the encodings (each party's local sum rounded to 2^-f, f = the
    session's fractional bits), so the mean of [1, 2, 3] is 2.0.  With `axis`, one mean per
    remaining index (e.g. samples of shape (runs, k) and axis=1: one mean per run); local sums
    must stay below 2^(100 - f).
    """
    ctx = api.context(session)
    samples = np.asarray(samples, dtype=np.float64)
    count = _pooled_count(session, samples, axis)
    local = samples.sum() if axis is None else samples.sum(axis=axis)
    bits = ctx.fractional_bits
    encoded = RING128.encode(np.asarray(local), bits, SUM_BOUND_BITS)
    total = api.reveal(_total(_scaled_inputs(session, encoded, bits)), to=to)
    return None if total is None else total / count


def variance_quantisation_bits(count: int, bound: float) -> int:
    """g of secure_variance: values are rounded to multiples of 2^-g, with
    N^2 2^(2 (B + g)) <= 2^126 for N observations of magnitude <= 2^B, and g <= 20."""
    bound_bits = max(0, int(np.ceil(np.log2(float(bound))))) if bound > 1 else 0
    count_bits = int(count - 1).bit_length()
    g = min(MAX_VARIANCE_BITS, EXACT_BITS // 2 - count_bits - bound_bits, 62 - bound_bits)
    if g < 0:
        raise RangeError(f"an exact variance of {count} observations of magnitude up to {bound} needs "
                         f"N^2 bound^2 < 2^126; pass a smaller public `bound` (or scale the data)")
    return g


def secure_variance(session, samples, *, axis=None, bound: float = 2.0 ** 40, to=None):
    """Population variance of the pooled observations; only the variance is revealed.

    Each party rounds its values to q = round(x 2^g) (g = variance_quantisation_bits(N, bound),
    N the public pooled count, `bound` a public bound on |x| that every party checks) and inputs
    S1 = sum q and S2 = sum q^2 exactly in Z_2^128.  One secret product gives
    V = N S2 - S1^2 = N^2 2^(2g) var(q / 2^g), an exact integer >= 0 (Cauchy-Schwarz), which is
    revealed and divided in exact rational arithmetic.  Error against the variance of the
    unrounded data: |err| <= std(x) 2^-g + 2^-(2g+2), plus the final rounding to float64.
    With `axis`, one variance per remaining index, all in one round.
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.size and not np.all(np.abs(samples) <= bound):
        raise RangeError(f"secure_variance: a value exceeds the public bound {bound} in magnitude "
                         f"(pass bound= a public bound on |x|)")
    count = _pooled_count(session, samples, axis)
    g = variance_quantisation_bits(count, bound)
    q = RING128.from_int(np.rint(np.ldexp(samples, g)).astype(np.int64))
    reduce_axis = None if axis is None else axis
    s1 = RING128.sum(q, axis=reduce_axis)
    s2 = RING128.sum(RING128.mul(q, q), axis=reduce_axis)
    firsts = _scaled_inputs(session, s1, 0)
    seconds = _scaled_inputs(session, s2, 0)
    total1, total2 = _total(firsts), _total(seconds)
    scaled = total2 * count - total1 * total1
    opened = api.reveal(scaled, to=to)
    if opened is None:
        return None
    denominator = count * count * (1 << (2 * g))
    values = np.asarray(opened, dtype=object).reshape(-1)
    result = np.array([float(Fraction(int(v), denominator)) for v in values]).reshape(np.shape(opened))
    return result[()] if result.ndim == 0 else result


def _two_owner_inputs(session, value, owners):
    ctx = api.context(session)
    first, second = (int(o) for o in owners)
    if first == second or not (0 <= first < ctx.parties and 0 <= second < ctx.parties):
        raise ValueError(f"owners must be two different parties, not {owners}")
    x = api.input(session, value if ctx.me == first else None, owner=first)
    y = api.input(session, value if ctx.me == second else None, owner=second)
    return x, y


def dot(session, vector, *, owners=(0, 1), to=None):
    """Inner product of owners[0]'s and owners[1]'s vectors; other parties pass None and help."""
    x, y = _two_owner_inputs(session, vector, owners)
    return api.reveal(x.dot(y), to=to)


def matmul(session, matrix, *, owners=(0, 1), to=None):
    """owners[0]'s matrix @ owners[1]'s matrix with one matrix triple (one online round)."""
    x, y = _two_owner_inputs(session, matrix, owners)
    return api.reveal(x @ y, to=to)


def millionaires(session, wealth) -> int:
    """Yao's millionaires' problem for two parties: the id of the richer party (0 on a tie).

    Only the answer is revealed; the comparison runs in a garbled circuit on the shares.
    """
    ctx = api.context(session)
    if ctx.parties != 2:
        raise MpcError("millionaires compares two parties through garbled circuits; "
                       f"this session has {ctx.parties}")
    x, y = _two_owner_inputs(session, np.asarray(wealth), (0, 1))
    return int(api.reveal(x < y))
