"""Building blocks of the nonlinear functions on SharedArray: batched comparisons against public
thresholds, clamping, selection, secret powers of two and polynomial evaluation.

For mpc.ss.nonlinear only.  Everything here uses the public SharedArray operations (+ - * with
secrets and public values, indexing, reshape, sum(axis=), and `<` against public values through
mpc.ss.compare), so it works on whichever ring the array carries and for every number of parties
that `<` supports.  The one primitive that costs a comparison is `at_least`; everything else is
local or one Beaver round.  Error terms are in units of the last place u = 2^-f.
Spec: protocols/ss-functions.md, "Building blocks".
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:   # annotations only: SharedArray imports this module's users
    from mpc.ss.array import SharedArray


def fixed(x):
    """x as fixed point at the session's scale (integers are promoted by a local shift)."""
    from mpc.ss.array import ADDITIVE
    if x.kind != ADDITIVE:
        raise TypeError("the nonlinear functions need additive shares (kind='additive')")
    if not x.is_fixed_point:
        x = x + 0.0           # promotes the integer share to the session's fractional bits
    bits = x.context.fractional_bits
    if x.fractional_bits != bits:
        raise ValueError(f"the nonlinear functions work at the session's {bits} fractional bits; "
                         f"this array has {x.fractional_bits}")
    return x


def tiled(x, copies: int):
    """A (copies, x.size) array whose every row is x flattened (local: indexing of the shares)."""
    flat = x.reshape(-1)
    return flat[np.tile(np.arange(flat.size), copies)].reshape(copies, flat.size)


def at_least(x, thresholds) -> "SharedArray":
    """Integer 0/1 shares c[t, i] = [x_i >= thresholds[t]] for every public threshold, shape
    (T, x.size): one batched comparison of T * x.size elements."""
    thresholds = np.asarray(thresholds, dtype=np.float64).reshape(-1, 1)
    from mpc.ss import brackets_gc, compare_n
    scale = 1 << x.fractional_bits
    # x is a multiple of 2^-f, so [x >= t] = [x 2^f >= ceil(t 2^f)] exactly, for any real t
    constants = [math.ceil(float(t) * scale) for t in thresholds.ravel()]
    if x.context.parties == 2:                        # one garbled circuit for all thresholds
        return brackets_gc.at_least(x, constants)
    if len(constants) == 1:                           # GMW: the sign of x - c
        public = np.array(constants, np.int64).reshape(-1, 1)       # on x's grid: exact
        public = public / float(scale) if x.is_fixed_point else public
        return 1 - (tiled(x, 1) < public)
    return compare_n.at_least(x, constants)           # GMW, the shares added once for all T


def negative(x):
    """Integer 0/1 shares of [x < 0], x's shape: one comparison with the public 0."""
    return (1 - at_least(x, [0.0])).reshape(x.shape)


def combine(flags, weights, constant=0.0):
    """constant + sum_t weights[t] * flags[t] (flags integer 0/1 shares (T, N)): local and exact.
    Integer weights give an integer share.  Real weights are rounded to multiples of u once and
    applied as the integers round(weight 2^f), the sum then read at scale 2^f: no truncation and
    no reliance on how a ring multiplies an integer share by a public real."""
    weights = np.asarray(weights)
    if weights.dtype.kind != "f":
        return (flags * weights.reshape(-1, 1)).sum(axis=0) + constant
    bits = flags.context.fractional_bits
    scaled = np.round(weights * 2.0 ** bits).astype(np.int64)
    total = (flags * scaled.reshape(-1, 1)).sum(axis=0)
    return total._new(total.share, bits) + constant


def where(flag, if_one, if_zero):
    """flag ? if_one : if_zero for an integer 0/1 share `flag`: if_zero + flag * (if_one - if_zero).
    One Beaver round when either branch is secret (no truncation: the flag is an integer), else
    local; exact."""
    return if_zero + flag * (if_one - if_zero)


def clamped_flags(x, thresholds, ulp: float):
    """Bracket x among public thresholds th_0 < ... < th_K (one batched comparison of K + 1).

    Returns (x clamped to [th_0, th_K - ulp], flags of the middle thresholds th_1..th_{K-1}
    (shape (K-1, N), possibly empty)).  Clamping is one Beaver round (integer flags times x: exact);
    below th_0 gives th_0, at or above th_K gives th_K - ulp.  The middle flags computed on x are
    those of the clamped value too.
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    flags = at_least(x, thresholds)
    low, high = flags[0], flags[-1]               # [x >= th_0], [x >= th_K]
    flat = x.reshape(-1)
    out_of_range = (1 - low) + high               # 0/1: the two cases exclude each other
    replacement = combine(flags[[0, -1]], [-thresholds[0], thresholds[-1] - ulp], thresholds[0])
    # x + (1 - low)(th_0 - x) + high(th_K - ulp - x) = x + replacement - out_of_range * x
    clamped = flat + replacement - out_of_range * flat
    return clamped, flags[1:-1]


def exponent_power(flags, e0: int, step: int, alpha: float, ulp: float):
    """The secret 2^(alpha * e) for e = e0 + step * (number of set flags), flags monotone, as
    (fixed part, integer part): their sum is 2^(alpha e).  The fixed part holds the values <= 1,
    the integer part the values > 1 (integers when alpha * e is), so a product z * 2^(alpha e) can be
    z * fixed (truncated, |result| <= |z|) plus z * integer (exact): no large products to truncate.
    Each candidate value 2^(alpha e) is a public linear combination of the flags (local)."""
    count = flags.shape[0] if flags is not None else 0
    values = np.array([2.0 ** (alpha * (e0 + step * t)) for t in range(count + 1)])
    if values.min() < ulp:
        raise ValueError(f"2^{alpha * e0:g} is below the fixed-point resolution {ulp:g}; narrow the domain")
    small = np.minimum(values, 1.0)
    large = values - small
    if np.any(large != np.round(large)):
        raise ValueError("the integer part of a secret power of two must be an integer")
    if count == 0:
        return float(small[0]), int(large[0])
    fixed_part = combine(flags, np.diff(small), float(small[0])) if np.ptp(small) else float(small[0])
    integer_part = (combine(flags, np.diff(large).astype(np.int64), int(large[0])) if np.ptp(large)
                    else int(large[0]))
    return fixed_part, integer_part


def times_power(z, power):
    """z * 2^(alpha e) for `power` = exponent_power(...): at most two Beaver rounds, one truncation
    (error <= 1 truncation of a product below |z| in magnitude)."""
    fixed_part, integer_part = power
    result = z * fixed_part
    if not (isinstance(integer_part, int) and integer_part == 0):
        result = result + z * integer_part
    return result


def horner(u, coefficients):
    """sum_k coefficients[k] u^k by Horner's rule: degree - 1 Beaver rounds (the first step is a
    public product).  Error <= (1.5 d) truncation units when |u| <= 1 (every step adds one
    truncation and a coefficient rounded to u/2, each multiplied afterwards by powers of u)."""
    coefficients = [float(c) for c in coefficients]
    result = u * coefficients[-1] + coefficients[-2]
    for c in reversed(coefficients[:-2]):
        result = result * u + c
    return result
