"""Exact floor division `x // c` of a secret SharedArray by a public value: numpy's floor_divide.

For mpc.ss.array (`SharedArray.__floordiv__`).  Works on the integer behind the shares: X (the
integer itself, or round(x 2^f) for fixed point) and D = |c| (c 2^f for reals; c must be a multiple
of 2^-f so that floor(x / c) = floor(X / D) is defined by the represented values exactly).
Restoring long division with one exact comparison per quotient bit, no truncation:

  s = sign(c), m = ceil(2^B / D)       (public, per element; |X| < 2^B is the documented range)
  r = s X + m D                         in [0, 2^(B+1) + D): non-negative, local
  for j = L-1 .. 0:  b_j = [r - 2^j D >= 0]   (one batched comparison with 0, mpc.ss.piecewise)
                     r  -= b_j 2^j D          (0/1 share times public integer: local, exact)
  floor(x / c) = sum_j b_j 2^j - m

With L the bit length of max (r // D), r < 2^L D at the start and r < 2^j D after step j, so every
b_j is the exact j-th bit of floor(r / D) = floor(s X / D) + m, and floor(s X / D) = floor(X / c).
The comparisons are exact for |r - 2^j D| < 2^(w-1) (w = ring bits), which B <= w - 3 guarantees.
Cost: L sequential comparisons of N elements; nothing else is sent.  Spec: protocols/ss-additive.md,
"Floor division by a public value".
"""
from __future__ import annotations

import numpy as np

from mpc.errors import RangeError
from mpc.ss.ring import contiguous


def bound_bits(x) -> int:
    """B: the range |X| < 2^B of the integer behind x's shares (reals: 2^(R+f), R the range of reals)."""
    if x.is_fixed_point:
        return x._params(x.fractional_bits).encode_bound_bits
    return x.ring.bits - 3


def divisor_integers(x, value) -> np.ndarray:
    """The public divisor as an object array of Python ints D_signed = c (integers) or c 2^f (reals),
    checked: nonzero, finite, representable, |D| < 2^B."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot floor-divide a {x.describe()} by a public {array.dtype} value")
    if array.dtype.kind == "f" and not x.is_fixed_point:
        raise TypeError("floor division of secret integers by a public float: input x as reals, or divide "
                        "by an integer")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError("floor division by a non-finite public value")
    if np.any(array == 0):
        raise ValueError("floor division by zero")
    bits = x.fractional_bits
    if array.dtype.kind == "f":
        scaled = np.ldexp(array.astype(np.float64), bits)
        if not np.all(scaled == np.rint(scaled)):
            raise ValueError(f"x // c of reals needs c to be a multiple of 2^-{bits} (the represented value "
                             f"of c must be c itself for an exact floor); use x / c for other divisors")
        ints = np.vectorize(lambda v: int(v), otypes=[object])(scaled) if scaled.size else scaled.astype(object)
    else:
        ints = np.vectorize(lambda v: int(v) << bits, otypes=[object])(array) if array.size else array.astype(object)
    limit = bound_bits(x)
    if ints.size and max(abs(int(v)) for v in ints.ravel()) >= 1 << limit:
        what = f"2^{limit - bits}" if bits else f"2^{limit}"
        raise RangeError(f"floor division by a public value of magnitude >= {what}, the range of a {x.describe()}")
    return np.asarray(ints, dtype=object)


def floor_divide(x, value):
    """Shares of floor(x / c) (numpy's //) for secret x and public nonzero c, broadcast as numpy does;
    integers give integers, reals give integer-valued reals at x's scale.  Exact for |x| in range."""
    from mpc.ss import piecewise
    from mpc.ss.array import ADDITIVE
    if x.kind != ADDITIVE:
        raise TypeError("floor division needs additive shares (Shamir-shared values are integers mod p)")
    signed = divisor_integers(x, value)          # c's own shape: per-element work stays small
    shape = x._broadcast_shape(signed.shape, "floor-divide", public=True)
    ring, limit = x.ring, bound_bits(x)
    count = int(np.prod(shape, dtype=np.int64))
    divisor = np.vectorize(lambda v: abs(int(v)), otypes=[object])(signed) if signed.size else signed
    offset, top = _plan(divisor.ravel(), limit)
    offset = offset.reshape(signed.shape)

    def spread(public):                              # a public integer array as ring words of x's shape
        return contiguous(np.broadcast_to(ring.from_int(np.asarray(public, dtype=object)), shape)).reshape(-1)

    if count == 0:
        return x._new(ring.zeros(shape), x.fractional_bits)
    first = x.context.me == 0                        # public constants are added by party 0 only
    sign = np.vectorize(lambda v: 1 if int(v) > 0 else -1, otypes=[object])(signed)
    r = ring.mul(x._spread(shape).reshape(-1), spread(sign))          # r = s X + m D
    if first:
        r = ring.add(r, spread(offset * divisor))
    remainder = x._new(r, 0)
    quotient = ring.zeros((count,))
    cap = (1 << (ring.bits - 1)) - 1                 # a threshold above every r: its flag is 0
    for j in reversed(range(top)):
        step = spread(np.vectorize(lambda d: min(int(d) << j, cap), otypes=[object])(divisor))
        shifted = remainder._new(ring.sub(remainder.share, step) if first else remainder.share.copy(), 0)
        flag = piecewise.at_least(shifted, [0]).reshape(-1).share                 # b_j = [r >= 2^j D]
        remainder = remainder._new(ring.sub(remainder.share, ring.mul(flag, step)), 0)
        quotient = ring.add(quotient, ring.shl(flag, j))
    if first:
        quotient = ring.sub(quotient, spread(offset))
    quotient = quotient.reshape(shape)
    if x.is_fixed_point:
        return x._new(ring.shl(quotient, x.fractional_bits), x.fractional_bits)
    return x._new(quotient, 0)


def _plan(divisor, limit: int):
    """Public per-element offsets m = ceil(2^B / D) and L = max bit length of (2^B - 1 + m D) // D."""
    offset = np.array([-(-(1 << limit) // int(d)) for d in divisor], dtype=object)
    top = max(((((1 << limit) - 1 + int(m) * int(d)) // int(d)).bit_length()
               for m, d in zip(offset, divisor)), default=0)
    return offset, top


def comparisons(x, value) -> int:
    """L: how many sequential comparisons `x // value` runs (public: it depends on c and x's ring only)."""
    return _plan([abs(int(v)) for v in divisor_integers(x, value).ravel()], bound_bits(x))[1]


__all__ = ["floor_divide", "comparisons", "bound_bits"]
