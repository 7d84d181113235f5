"""The online phase over additive shares of Z_2^64: Beaver multiplication, matrix products, truncation.

For mpc.ss.array.  Multiplying x and y with a triple (a, b, c = ab): every party publishes
d_i = x_i - a_i and e_i = y_i - b_i in one message to every peer (2 x 8 bytes per element and party
pair), and combines z_i = c_i + d b_i + e a_i (+ d e at party 0).  One round.  Fixed-point products
are truncated with SecureML's local rule for two parties and a masked opening for more (one extra
round).  Spec: protocols/ss-additive.md.
"""
from __future__ import annotations

import numpy as np

from mpc.ss import additive, fixed_point
from mpc.ss.randomness import random_uint64

TAG_MUL = "ss:mul"
TAG_MATMUL = "ss:matmul"
TAG_TRUNCATE = "ss:truncate"


def multiply(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """This party's share of x * y (elementwise, equal shapes) using one triple per element."""
    if x.shape != y.shape:
        raise ValueError(f"Beaver multiplication of shapes {x.shape} and {y.shape}")
    a, b, c = context.triples.take(x.size)
    a, b, c = a.reshape(x.shape), b.reshape(x.shape), c.reshape(x.shape)
    opened = context.open_sum(TAG_MUL, np.stack([x - a, y - b]))
    with np.errstate(over="ignore"):
        return additive.beaver_combine(context.me, a, b, c, opened[0, ...], opened[1, ...])


def matmul(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """This party's share of x @ y for 2-D x (m, k) and y (k, n) using one matrix triple."""
    (m, k), (k2, n) = x.shape, y.shape
    if k != k2:
        raise ValueError(f"matrix product of shapes {x.shape} and {y.shape}")
    a, b, c = context.triples.take_matrix(m, k, n)
    flat = np.concatenate([(x - a).ravel(), (y - b).ravel()])
    opened = context.open_sum(TAG_MATMUL, flat)
    d, e = opened[:m * k].reshape(m, k), opened[m * k:].reshape(k, n)
    return additive.beaver_combine_matmul(context.me, a, b, c, d, e)


def truncate(context, share: np.ndarray, bits: int) -> np.ndarray:
    """Shares of x / 2^bits (fixed point), error bounds in protocols/ss-additive.md."""
    if bits == 0:
        return share
    if context.parties == 2:
        return fixed_point.truncate_two_party(share, context.me, bits)
    with np.errstate(over="ignore"):   # ring arithmetic: wrap-around is intended (0-d values warn)
        mask = fixed_point.masked_truncation_mask(random_uint64(context.rng, share.shape), context.parties)
        published = fixed_point.masked_truncation_contribution(share, mask, context.me)
        opened = context.open_sum(TAG_TRUNCATE, published)
        return fixed_point.masked_truncation_finish(opened, mask, context.me, bits)
