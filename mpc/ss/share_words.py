"""Ring access for the comparison circuits of mpc.ss.brackets_gc and mpc.ss.compare_n: a
SharedArray's ring (`x.ring`, with the interface of mpc.ss.ring: bits, zeros, random, from_int,
add, sub, to_wire, from_wire, to_python) or, for arrays that carry no ring, Z_2^64 on uint64.

The circuits only need a share as little-endian 64-bit words and Python ints, and a few ring
operations on the flag conversion; nothing here depends on the width.
"""
from __future__ import annotations

import numpy as np

from mpc.ss.randomness import random_uint64


class Uint64Ring:
    """Z_2^64 on numpy uint64, the subset of mpc.ss.ring's interface used here."""

    bits = 64
    dtype = np.dtype(np.uint64)

    def zeros(self, shape):
        return np.zeros(shape, np.uint64)

    def random(self, rng, shape):
        return random_uint64(rng, shape)

    def from_int(self, values):
        return np.asarray(values).astype(np.int64).view(np.uint64)

    def add(self, a, b):
        return np.asarray(a, np.uint64) + np.asarray(b, np.uint64)

    def sub(self, a, b):
        return np.asarray(a, np.uint64) - np.asarray(b, np.uint64)

    def to_wire(self, a):
        return np.ascontiguousarray(a, dtype=np.uint64)

    def from_wire(self, words, shape):
        return np.asarray(words, dtype=np.uint64).reshape(shape)

    def to_python(self, a) -> list:
        return [int(v) for v in np.asarray(a, np.uint64).ravel().tolist()]


UINT64_RING = Uint64Ring()


def ring_of(x):
    return getattr(x, "ring", None) or UINT64_RING


def words(x) -> np.ndarray:
    """This party's share of x as (N, w/64) uint64 words, least significant word first."""
    ring = ring_of(x)
    return np.asarray(ring.to_wire(x.share), dtype=np.uint64).reshape(x.size, ring.bits // 64)


def bits(x) -> np.ndarray:
    """This party's share of x as a (w, N) uint8 bit matrix, least significant bit first."""
    raw = np.ascontiguousarray(words(x)).view(np.uint8).reshape(x.size, -1)
    return np.ascontiguousarray(np.unpackbits(raw, axis=1, bitorder="little").T)


def from_ints(anchor, values, shape, fractional_bits: int = 0):
    """A SharedArray in anchor's ring and session from this party's share values (ints, or a
    0/1 uint8 array)."""
    ring = ring_of(anchor)
    share = ring.from_int(np.asarray(values, dtype=np.int64)).reshape(shape)
    return anchor._new(share, fractional_bits)
