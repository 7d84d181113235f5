"""Shamir protocols for n >= 3 parties with an honest majority (t < n/2): input, open, multiply.

For mpc.ss.array.  Multiplication needs no triples: each party multiplies its two degree-t shares
locally (a degree-2t sharing of the product), re-shares that product share with a fresh degree-t
polynomial (8 bytes per element to every peer), and combines what it receives with the recombination
vector (Gennaro-Rabin-Rabin 1998).  One round; the same step reduces the degree of local dot and
matrix products.  Arithmetic runs in the native Z_p kernels.  Spec: protocols/ss-shamir.md.
"""
from __future__ import annotations

import numpy as np

from mpc.native import field
from mpc.ss import shamir
from mpc.ss.context import contiguous_words

TAG_RESHARE = "ss:shamir-reshare"
TAG_INPUT = "ss:shamir-input"
TAG_OPEN = "ss:shamir-open"


def _check_setup(context) -> None:
    shamir.check_threshold(context.parties, context.threshold)


def reshare(context, product: np.ndarray) -> np.ndarray:
    """Degree reduction: this party's degree-t share of the value whose degree-2t share is `product`."""
    _check_setup(context)
    product = contiguous_words(product)
    shares = shamir.share(product, context.parties, context.threshold, context.rng)
    received = context.exchange(TAG_RESHARE, {p: shares[p] for p in context.peers}, product.shape)
    rows = np.empty((context.parties, *product.shape), dtype=np.uint64)
    rows[context.me] = shares[context.me]
    for peer, data in received.items():
        rows[peer] = context.check_field(data, "a re-shared product", peer)
    return field.combine(rows, _recombination(context))


def _recombination(context) -> list[int]:
    cached = getattr(context, "_shamir_recombination", None)
    if cached is None:
        cached = shamir.reduction_coefficients(context.parties)
        context._shamir_recombination = cached
    return cached


def multiply(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return reshare(context, field.mul(x, y))


def dot(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Share of sum_i x_i y_i with a single degree reduction."""
    return reshare(context, np.array([field.dot(x.ravel(), y.ravel())], dtype=np.uint64)).reshape(())


def matmul(context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return reshare(context, field.matmul(x, y))


def input_shares(context, elements: np.ndarray | None, owner: int, shape) -> np.ndarray:
    """Owner deals Shamir shares of `elements`; everyone returns its share of `shape`."""
    _check_setup(context)
    if context.me == owner:
        shares = shamir.share(elements, context.parties, context.threshold, context.rng)
        for peer in context.peers:
            context.channel(peer).send(TAG_INPUT, shares[peer])
        return shares[context.me]
    data = context.recv_from(owner, TAG_INPUT, shape)
    return context.check_field(data, "an input share", owner).copy()


def open_value(context, share: np.ndarray, to=None) -> np.ndarray | None:
    """Send shares to the parties `to` (default all); they reconstruct from all n shares and check
    that the n shares lie on one degree-t polynomial (a peer's inconsistent share raises)."""
    from mpc.errors import ProtocolError
    receivers = list(range(context.parties)) if to is None else sorted(set(int(p) for p in to))
    share = contiguous_words(share)
    context.send_all(TAG_OPEN, share, to=receivers)
    if context.me not in receivers:
        return None
    rows = np.empty((context.parties, *share.shape), dtype=np.uint64)
    rows[context.me] = share
    for peer in context.peers:
        rows[peer] = context.check_field(context.recv_from(peer, TAG_OPEN, share.shape), "an opened share", peer)
    flat = rows.reshape(context.parties, -1)
    if not shamir.consistent(flat, context.threshold):
        raise ProtocolError("opened Shamir shares are not on one polynomial of degree t")
    return shamir.reconstruct(flat).reshape(share.shape)
