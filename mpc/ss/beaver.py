"""The online phase over additive shares (Z_2^64 or Z_2^128): Beaver multiplication, matrix
products, truncation.

For mpc.ss.array.  Multiplying x and y with a triple (a, b, c = ab): every party publishes
d_i = x_i - a_i and e_i = y_i - b_i in one message to every peer (2 ring elements per element and
party pair), and combines z_i = c_i + d b_i + e a_i (+ d e at party 0).  One round.  Fixed-point
products are truncated by SecureML's local rule for two parties (no message; fails with probability
2^-47 per element over the range in Z_2^128) or by a masked opening (any n, one round, never fails,
statistically hiding to 2^-40 or better).  Spec: protocols/ss-additive.md.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import MpcError
from mpc.ss.ring import contiguous, ring_of_dtype

TAG_MUL = "ss:mul"
TAG_MATMUL = "ss:matmul"
TAG_TRUNCATE = "ss:truncate"
MAX_MASKED_PARTIES = 127


def multiply(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """This party's share of x * y (elementwise, equal shapes) using one triple per element."""
    if x.shape != y.shape or x.dtype != y.dtype:
        raise ValueError(f"Beaver multiplication of shapes {x.shape} and {y.shape}")
    ring = ring_of_dtype(x.dtype)
    a, b, c = context.triples.take(x.size, ring=ring)
    masked = np.empty((2, x.size), ring.dtype)        # (2, N): rows are arrays even for 0-d x
    ring.sub(contiguous(x).reshape(-1), a, out=masked[0])
    ring.sub(contiguous(y).reshape(-1), b, out=masked[1])
    opened = context.open_sum(TAG_MUL, masked)
    z = ring.beaver(a, b, c, contiguous(opened[0]), contiguous(opened[1]), context.me == 0)
    return z.reshape(x.shape)


def matmul(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """This party's share of x @ y for 2-D x (m, k) and y (k, n) using one matrix triple."""
    (m, k), (k2, n) = x.shape, y.shape
    if k != k2 or x.dtype != y.dtype:
        raise ValueError(f"matrix product of shapes {x.shape} and {y.shape}")
    ring = ring_of_dtype(x.dtype)
    a, b, c = context.triples.take_matrix(m, k, n, ring=ring)
    flat = np.concatenate([ring.sub(x, a).ravel(), ring.sub(y, b).ravel()])
    opened = context.open_sum(TAG_MATMUL, flat)
    d, e = opened[:m * k].reshape(m, k), opened[m * k:].reshape(k, n)
    z = ring.add(c, ring.matmul(d, b))
    z = ring.add(z, ring.matmul(a, e))
    if context.me == 0:
        z = ring.add(z, ring.matmul(d, e))
    return z


def truncate(context, share: np.ndarray, bits: int) -> np.ndarray:
    """Shares of x / 2^bits (fixed point): error bounds and failure probabilities in
    protocols/ss-additive.md, "Truncation"."""
    if bits == 0:
        return share
    ring = ring_of_dtype(share.dtype)
    if not context.masked_truncation():
        return ring.trunc_local(share, context.me, bits)
    return masked_truncate(context, share, bits, ring)


def truncate_many(context, items) -> list:
    """[(share, bits), ...] truncated together: masked openings share one round."""
    if not context.masked_truncation():
        return [truncate(context, share, bits) for share, bits in items]
    ring = ring_of_dtype(items[0][0].dtype)
    flat = np.concatenate([share.reshape(-1) for share, _ in items])
    params = context.real_params(ring.bits)
    masks, publishes = [], []
    for share, bits in items:
        mask, published = _mask(context, share.reshape(-1), bits, ring, params)
        masks.append(mask)
        publishes.append(published)
    opened = context.open_sum(TAG_TRUNCATE, np.concatenate(publishes))
    out, start = [], 0
    for (share, bits), mask in zip(items, masks):
        part = opened[start:start + share.size]
        start += share.size
        out.append(ring.trunc_finish(part, mask, context.me, params.bias, bits).reshape(share.shape))
    assert start == flat.size
    return out


def _mask(context, share, bits: int, ring, params):
    if context.parties > MAX_MASKED_PARTIES:
        raise MpcError(f"masked truncation supports at most {MAX_MASKED_PARTIES} parties, not {context.parties}")
    if not 0 <= bits <= params.bias:
        raise ValueError(f"cannot truncate by {bits} bits (at most {params.bias})")
    return ring.trunc_mask(share, ring.random(context.rng, share.shape), params.mask_bits, context.me, params.bias)


def masked_truncate(context, share: np.ndarray, bits: int, ring) -> np.ndarray:
    """Masked opening: each party adds a private mask of mask_bits bits (ring bits - ceil(log2(n+1)))
    and party 0 the bias 2^PRODUCT_BITS; the opened sum never wraps for |x| < 2^PRODUCT_BITS."""
    params = context.real_params(ring.bits)
    mask, published = _mask(context, share, bits, ring, params)
    opened = context.open_sum(TAG_TRUNCATE, published)
    return ring.trunc_finish(opened, mask, context.me, params.bias, bits)
