"""Division and the nonlinear functions of statistics and ML on secret-shared fixed point.

For users and mpc.ml: `reciprocal`, `divide`, `exp`, `log`, `sqrt`, `rsqrt`, `sigmoid` (methods
"exact", "poly", "pwl"), `absolute`, `relu`, `maximum`, `minimum`, `max`, `min`.  Every function
takes SharedArrays (additive, fixed point at the session's f fractional bits; integers are promoted)
and returns a SharedArray of the same shape; every party calls it with the same public arguments.
Each function has a documented domain, a defined behaviour outside it (saturation, never garbage),
and a maximum error in units of u = 2^-f: protocols/ss-functions.md.

How: comparisons against public thresholds (one batched `<` per function, through mpc.ss.compare,
so they run wherever `<` does) bracket the input; the brackets give the secret exponent e of a
normalisation as public linear combinations of 0/1 shares, so 2^e, 2^-e and e cost nothing more;
on the normalised input a polynomial (Chebyshev interpolant, Horner) and Newton's iteration do the
rest.  Products with the 0/1 shares are exact (integer times fixed point needs no truncation).
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numpy.polynomial import Chebyshev, Polynomial

from mpc.ss import piecewise as pw

LOG2_E = math.log2(math.e)
LN_2 = math.log(2.0)
SIGMOID_METHODS = ("exact", "poly", "pwl")
SIGMOID_BOUND = 8.0                 # "poly" and "pwl" approximate on [-8, 8] and saturate outside
RECIPROCAL_START = (48.0 / 17.0, -32.0 / 17.0)   # 1/y on [0.5, 1] within relative 1/17


def _ulp(x) -> float:
    return 2.0 ** -x.fractional_bits


# -- approximations fixed by f (public, computed once per f) -----------------------------------

@functools.lru_cache(maxsize=None)
def _interpolant(name: str, bits: int) -> tuple:
    """Power-basis coefficients of the lowest-degree Chebyshev interpolant of a function on its
    interval whose error is below 2^-(f+3) on a fine grid."""
    function, interval = {"exp2": (np.exp2, (0.0, 1.0)),
                          "log": (lambda u: np.log((u + 3.0) / 4.0), (-1.0, 1.0))}[name]
    grid = np.linspace(*interval, 20001)
    for degree in range(2, 40):
        approx = Chebyshev.interpolate(function, degree, domain=list(interval))
        if np.max(np.abs(approx(grid) - function(grid))) <= 2.0 ** -(bits + 3):
            return tuple(approx.convert(kind=Polynomial).coef)
    raise ValueError(f"no float64 interpolant of {name} reaches 2^-{bits + 3}: the nonlinear functions "
                     f"support at most 45 fractional bits")


def newton_steps(start_error: float, bits: int, factor: float = 1.0) -> int:
    """Newton iterations from relative error start_error (each maps e to factor * e^2) until the
    error is below 2^-(f+3)."""
    steps, error = 0, start_error
    while error > 2.0 ** -(bits + 3):
        error, steps = factor * error * error, steps + 1
    return steps


@functools.lru_cache(maxsize=None)
def _rsqrt_start() -> tuple:
    approx = Chebyshev.interpolate(lambda y: 1.0 / np.sqrt(y), 2, domain=[0.25, 1.0])
    grid = np.linspace(0.25, 1.0, 20001)
    error = float(np.max(np.abs(approx(grid) * np.sqrt(grid) - 1.0)))
    return tuple(approx.convert(kind=Polynomial).coef), error


def _times_log2e(x):
    """x log2(e) with one truncation: x times the integer round(log2(e) 2^f) (exact), then times
    2^-f (encoded as 1, so the product is just the truncation): error <= n u + |x| 2^-(2f+1)."""
    bits = x.fractional_bits
    return (x * int(round(LOG2_E * 2 ** bits))) * 2.0 ** -bits


def _reciprocal_normal(normal, bits: int):
    """1/y for secret y in [0.5, 1]: linear start, then w <- w (2 - y w), 2 rounds per step."""
    w = normal * RECIPROCAL_START[1] + RECIPROCAL_START[0]
    for _ in range(newton_steps(1.0 / 17.0, bits)):
        w = w * (2.0 - normal * w)
    return w


def _rsqrt_normal(normal, bits: int):
    """1/sqrt(y) for y in [0.25, 1]: quadratic start, then w <- w (3 - y w^2) / 2, 3 rounds a step."""
    coefficients, error = _rsqrt_start()
    w = pw.horner(normal, coefficients)
    for _ in range(newton_steps(error, bits, 1.5)):
        w = w * (1.5 - (normal * w) * w * 0.5)
    return w


def _domain(x, low: int | None, high: int | None, default_low: int, default_high: int, even: bool = False):
    bits = x.fractional_bits
    low = default_low if low is None else int(low)
    high = default_high if high is None else int(high)
    if even:
        low, high = low - (low % 2), high + (high % 2)
    if not -bits < low < high <= bits:
        raise ValueError(f"exponent domain [2^{low}, 2^{high}) must satisfy -{bits} < low < high <= {bits} "
                         f"with {bits} fractional bits")
    return low, high


def _normalise(a, low: int, high: int, step: int = 1):
    """a > 0 clamped to [2^low, 2^high - u] and written a = normal * 2^e with normal in
    [2^-step, 1): returns (normal, flags, e0) where e = e0 + step * (number of set flags)."""
    ulp = _ulp(a)
    clamped, flags = pw.clamped_flags(a, 2.0 ** np.arange(low, high + 1, step), ulp)
    e0 = low + step
    normal = pw.times_power(clamped, pw.exponent_power(flags, e0, step, -1.0, ulp))
    return normal, flags, e0


def _sign_split(x):
    """(s, |x|) with s = [x < 0] an integer 0/1 share: one comparison and one exact product."""
    negative = pw.negative(x)
    return negative, x - 2 * (negative * x)


# -- division ---------------------------------------------------------------------------------

def reciprocal(y, *, low_exponent: int | None = None, high_exponent: int | None = None):
    """1/y for 2^low <= |y| < 2^high (defaults: low = -floor(f/2), high = f).

    |result - 1/y| <= 8 n u / |y| + n u on the domain (u = 2^-f, n parties; spec).  Outside it |y|
    saturates: |y| < 2^low gives ±2^-low (0 gives +2^-low), |y| >= 2^high gives ±1/(2^high - u).
    """
    y = pw.fixed(y)
    bits = y.fractional_bits
    low, high = _domain(y, low_exponent, high_exponent, -(bits // 2), bits)
    shape = y.shape
    negative, magnitude = _sign_split(y.reshape(-1))
    normal, flags, e0 = _normalise(magnitude, low, high)
    w = _reciprocal_normal(normal, bits)
    result = pw.times_power(w, pw.exponent_power(flags, e0, 1, -1.0, _ulp(y)))
    result = result - 2 * (negative * result)
    return result.reshape(shape)


def divide(x, y, **domain):
    """x / y: x a SharedArray or public, y a SharedArray (reciprocal's domain) or public.

    Secret y: x * reciprocal(y), error |x| * (reciprocal's error) + n u.  Public y: x * (1/y)."""
    from mpc.ss.array import SharedArray
    if not isinstance(y, SharedArray):   # public divisor: SharedArray's division keeps 2f bits of 1/y
        return x / np.asarray(y, dtype=np.float64)
    inverse = reciprocal(y, **domain)
    return inverse * x if not isinstance(x, SharedArray) else pw.fixed(x) * inverse


# -- exp and log ------------------------------------------------------------------------------

def _exp_bracketed(x, low: int, high: int):
    """e^x = 2^t for t = x log2(e) in [low, high): x is bracketed and clamped first (thresholds
    j ln 2, so every product below has a small operand whatever x is), then t = floor + frac with
    floor from the brackets, 2^floor from them too and 2^frac by a polynomial (frac is within a few
    u of [0, 1), where the interpolant is still accurate)."""
    ulp = _ulp(x)
    clamped, flags = pw.clamped_flags(x, np.arange(low, high + 1) * LN_2, ulp)
    t = _times_log2e(clamped)
    floor = pw.combine(flags, np.ones(flags.shape[0], np.int64), int(low)) if flags.shape[0] else low
    fraction = t - floor
    poly = pw.horner(fraction, _interpolant("exp2", x.fractional_bits))
    return pw.times_power(poly, pw.exponent_power(flags, low, 1, 1.0, ulp))


def exp(x, *, low: float | None = None, high: float | None = None):
    """e^x for x in [low, high] (defaults: -f ln 2 and f ln 2, i.e. 2^-f <= e^x <= 2^f).

    |result - e^x| <= (d + 2)(n + 1/2) u e^x + n u with d the degree of the 2^t polynomial for f
    (5 at f = 16; spec).  Below the domain the result is e^low (about u), above it about e^high."""
    x = pw.fixed(x)
    bits = x.fractional_bits
    t_low = -bits if low is None else math.floor(low * LOG2_E)
    t_high = bits if high is None else math.ceil(high * LOG2_E)
    if not -bits <= t_low < t_high <= bits:
        raise ValueError(f"exp domain must lie within [-{bits} ln 2, {bits} ln 2] with {bits} fractional bits")
    shape = x.shape
    return _exp_bracketed(x.reshape(-1), t_low, t_high).reshape(shape)


def log(x, *, low_exponent: int | None = None, high_exponent: int | None = None):
    """Natural log of x for 2^low <= x < 2^high (defaults -floor(f/2), f).

    |result - ln x| <= (d + 3)(n + 1/2) u with d the degree of the log polynomial (7 at f = 16).  x below 2^low (including x <= 0) gives low ln 2,
    x >= 2^high gives about high ln 2."""
    x = pw.fixed(x)
    bits = x.fractional_bits
    low, high = _domain(x, low_exponent, high_exponent, -(bits // 2), bits)
    shape = x.shape
    normal, flags, e0 = _normalise(x.reshape(-1), low, high)
    u = normal * 4 - 3                               # exact: [0.5, 1) -> [-1, 1)
    poly = pw.horner(u, _interpolant("log", bits))
    # e ln 2 with every candidate value rounded once: error <= u/2 whatever e is.
    ulp = _ulp(x)
    values = np.round(np.arange(e0, e0 + flags.shape[0] + 1) * LN_2 / ulp) * ulp
    scaled = pw.combine(flags, np.diff(values), float(values[0])) if flags.shape[0] else float(values[0])
    return (poly + scaled).reshape(shape)


# -- square roots -----------------------------------------------------------------------------

def _sqrt_parts(x, low_exponent, high_exponent):
    x = pw.fixed(x)
    bits = x.fractional_bits
    low, high = _domain(x, low_exponent, high_exponent, -2 * (bits // 4), bits, even=True)
    normal, flags, e0 = _normalise(x.reshape(-1), low, high, step=2)   # normal in [1/4, 1)
    return x, normal, flags, e0, _rsqrt_normal(normal, bits)


def rsqrt(x, *, low_exponent: int | None = None, high_exponent: int | None = None):
    """1/sqrt(x) for 2^low <= x < 2^high (low, high rounded outward to even; defaults about -f/2, f).

    |result - 1/sqrt(x)| <= 8 n u / sqrt(x) + n u (spec); outside, x saturates to the domain."""
    x, normal, flags, e0, w = _sqrt_parts(x, low_exponent, high_exponent)
    return pw.times_power(w, pw.exponent_power(flags, e0, 2, -0.5, _ulp(x))).reshape(x.shape)


def sqrt(x, *, low_exponent: int | None = None, high_exponent: int | None = None):
    """sqrt(x) for 2^low <= x < 2^high: |result - sqrt(x)| <= 8 n u sqrt(x) + n u (spec).
    x below 2^low (including x <= 0) gives 2^(low/2)."""
    x, normal, flags, e0, w = _sqrt_parts(x, low_exponent, high_exponent)
    root = normal * w                                 # sqrt(normal) in [1/2, 1)
    return pw.times_power(root, pw.exponent_power(flags, e0, 2, 0.5, _ulp(x))).reshape(x.shape)


# -- sigmoid ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _sigmoid_poly(degree: int) -> tuple:
    """Odd part of the Chebyshev interpolant of sigmoid(8 v) - 1/2 on [-1, 1], in powers of v^2:
    sigmoid(x) ~ 1/2 + v * q(v^2) with v = x / 8."""
    if degree < 1 or degree % 2 == 0:
        raise ValueError(f"the sigmoid polynomial needs an odd degree, not {degree}")
    approx = Chebyshev.interpolate(lambda v: 1.0 / (1.0 + np.exp(-SIGMOID_BOUND * v)) - 0.5, degree)
    coefficients = approx.convert(kind=Polynomial).coef
    return tuple(coefficients[1::2])


def _pwl_table(segments: int):
    nodes = np.linspace(-SIGMOID_BOUND, SIGMOID_BOUND, segments + 1)
    values = 1.0 / (1.0 + np.exp(-nodes))
    values[0], values[-1] = 0.0, 1.0
    slopes = np.concatenate([[0.0], np.diff(values) / np.diff(nodes), [0.0]])
    return nodes, np.diff(slopes)          # slope change at every node


def sigmoid(x, *, method: str = "exact", degree: int = 13, segments: int = 16):
    """The logistic function 1 / (1 + e^-x).

    method="exact": through exp and a reciprocal on (1, 2]; max error (6 n + 4) u on all reals.
    method="poly": odd Chebyshev interpolant of `degree` on [-8, 8], exactly 0 / 1 outside;
             max error 3.0e-3 for degree 13 (spec table) + 2 degree u.
    method="pwl": `segments` linear pieces on [-8, 8] through sigmoid at the nodes (0 and 1 at
             -8 and 8), flat outside (within (segments + 1) n u of 0 and 1); max error 0.0117 for
             16 segments (spec table) + (segments + 1) n u.
    """
    if method not in SIGMOID_METHODS:
        raise ValueError(f"sigmoid method must be one of {', '.join(SIGMOID_METHODS)}, not {method!r}")
    x = pw.fixed(x)
    shape, flat = x.shape, x.reshape(-1)
    if method == "exact":
        result = _sigmoid_exact(flat)
    elif method == "poly":
        result = _sigmoid_polynomial(flat, degree)
    else:
        result = _sigmoid_pwl(flat, int(segments))
    return result.reshape(shape)


def _sigmoid_exact(x):
    bits = x.fractional_bits
    negative, magnitude = _sign_split(x)
    decay = _exp_bracketed(-magnitude, -bits, 0)             # e^-|x| in (0, 1]
    half = decay * 0.5 + 0.5                                # (1 + e^-|x|) / 2 in (1/2, 1]
    positive = _reciprocal_normal(half, bits) * 0.5         # sigmoid(|x|)
    return pw.where(negative, 1.0 - positive, positive)


def _sigmoid_polynomial(x, degree: int):
    coefficients = _sigmoid_poly(degree)
    v = x * (1.0 / SIGMOID_BOUND)
    odd = v * pw.horner(v * v, coefficients) if len(coefficients) > 1 else v * coefficients[0]
    poly = odd + 0.5
    flags = pw.at_least(x, [-SIGMOID_BOUND, SIGMOID_BOUND])
    below, above = 1 - flags[0], flags[1]
    # outside [-8, 8]: 0 or 1 exactly (the polynomial's value, even wrapped, cancels exactly)
    return poly + above - (below + above) * poly


def _sigmoid_pwl(x, segments: int):
    """x clamped to [-8, 8 - u] (one product), then value at -8 plus the slope changes at the
    inner nodes times (x - node): every product has an operand below 16 in magnitude."""
    if segments < 2:
        raise ValueError("sigmoid pwl needs at least 2 segments")
    nodes, changes = _pwl_table(segments)
    clamped, flags = pw.clamped_flags(x, nodes, _ulp(x))     # flags of nodes[1:-1]
    first = (clamped - nodes[0]) * float(changes[0])           # slope of the first piece
    inner = nodes[1:-1].reshape(-1, 1)
    shifted = pw.tiled(clamped, inner.size) - inner            # exact: x - node
    terms = ((flags * shifted) * changes[1:-1].reshape(-1, 1)).sum(axis=0)
    return first + terms


# -- abs, relu, max, min ----------------------------------------------------------------------

def absolute(x):
    """|x| (integers or fixed point), exact: one comparison, one product."""
    return _sign_split(x)[1]


def relu(x):
    """max(x, 0), exact: one comparison, one product."""
    return x - pw.negative(x) * x


def maximum(a, b):
    """Elementwise max of a and b (SharedArrays or one public), exact: one comparison, one product."""
    return pw.where(a < b, b, a)


def minimum(a, b):
    """Elementwise min, exact."""
    return pw.where(a < b, a, b)


def _reduce(x, axis, pick):
    if x.size == 0:
        raise ValueError("reduction of an empty array")
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    lead = (slice(None),) * axis
    while x.shape[axis] > 1:
        count = x.shape[axis]
        half = count // 2
        first, second = np.arange(half), np.arange(half, 2 * half)
        if count % 2:   # the odd one out meets itself
            first, second = np.append(first, count - 1), np.append(second, count - 1)
        x = pick(x[lead + (first,)], x[lead + (second,)])
    return x[lead + (0,)]


def max(x, axis=None):  # noqa: A001 - the numpy name, in this module's namespace
    """Largest element (or along `axis`): a tree of ceil(log2 m) elementwise maxima, exact."""
    return _reduce(x, axis, maximum)


def min(x, axis=None):  # noqa: A001
    """Smallest element (or along `axis`), exact."""
    return _reduce(x, axis, minimum)


__all__ = ["absolute", "divide", "exp", "log", "max", "maximum", "min", "minimum", "reciprocal",
           "relu", "rsqrt", "sigmoid", "sqrt", "SIGMOID_METHODS"]
