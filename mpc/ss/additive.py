"""Additive secret sharing over the ring Z_2^64, vectorised over numpy arrays (pure math, no I/O).

For the Beaver and SharedArray layers (mpc.ss.beaver, mpc.ss.array).  A value x is held as n shares
x_0 + ... + x_{n-1} = x mod 2^64; any n-1 shares are uniform and independent of x.  Signed integers
use two's complement, so uint64 arithmetic with numpy's wrap-around is the ring arithmetic.
Spec: protocols/ss-additive.md.
"""
from __future__ import annotations

import numpy as np

from mpc.ss.randomness import random_uint64

RING_BITS = 64


def to_ring(values) -> np.ndarray:
    """Integers (any signed/unsigned numpy or Python ints) as elements of Z_2^64 (reduced mod 2^64)."""
    from mpc.ss.ring import RING64
    try:
        return RING64.from_int(values)
    except ValueError as exc:        # an object array of non-integers
        raise TypeError("integer sharing needs integer values") from exc


def from_ring(values: np.ndarray, signed: bool = True) -> np.ndarray:
    """Ring elements back to int64 (two's complement) or, with signed=False, uint64."""
    values = np.asarray(values, dtype=np.uint64)
    return values.view(np.int64) if signed else values


def share(values, parties: int, rng=None) -> list[np.ndarray]:
    """Split ring elements into `parties` additive shares (shares 1..n-1 uniform)."""
    if parties < 2:
        raise ValueError(f"additive sharing needs at least 2 parties, not {parties}")
    secret = to_ring(values)
    others = [random_uint64(rng, secret.shape) for _ in range(parties - 1)]
    first = secret.copy()
    for r in others:
        first -= r
    return [first, *others]


def reconstruct(shares) -> np.ndarray:
    """x = sum of the shares mod 2^64."""
    shares = list(shares)
    if not shares:
        raise ValueError("no shares to reconstruct")
    total = np.array(shares[0], dtype=np.uint64, copy=True)
    for s in shares[1:]:
        total += np.asarray(s, dtype=np.uint64)
    return total


def add_public(share_array: np.ndarray, public, party: int) -> np.ndarray:
    """Share of x + c: only party 0 adds the public c."""
    return share_array + to_ring(public) if party == 0 else share_array.copy()


def beaver_combine(party: int, a, b, c, d, e) -> np.ndarray:
    """Party's share of x*y from a triple (a, b, c = ab) and the opened d = x - a, e = y - b.

    x*y = (d + a)(e + b) = c + d*b + e*a + d*e; only party 0 adds the public d*e.
    """
    z = c + d * b
    z += e * a
    if party == 0:
        z += d * e
    return z


def beaver_combine_matmul(party: int, a, b, c, d, e) -> np.ndarray:
    """Matrix version: X@Y = C + D@B + A@E + D@E for X = D + A, Y = E + B."""
    z = c + matmul_ring(d, b)
    z += matmul_ring(a, e)
    if party == 0:
        z += matmul_ring(d, e)
    return z


def matmul_ring(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Matrix product mod 2^64 (numpy's integer matmul wraps, which is exactly the ring)."""
    return np.matmul(a.astype(np.uint64, copy=False), b.astype(np.uint64, copy=False))
