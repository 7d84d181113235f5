"""Comparisons of additive shares for n >= 3 parties: bit decomposition by GMW, then B2A.

For mpc.ss.compare (which sends sessions of more than two parties here).  x < y is the sign bit of
d = x - y (local): each party's share d_i is its input word to a boolean circuit over XOR shares
(mpc.ss.gmw), which adds the n words and outputs the most significant bit of the sum, XOR-shared;
the bit is turned into an additive share of the array's ring by n - 1 Beaver products.

Circuit (w = ring width, log depth): carry-save adders reduce the n words to two (layers of 3:2
compressors, one AND per bit: maj(a, b, c) = ((a ^ c) & (b ^ c)) ^ c), then only the carry into
bit w - 1 of their sum is computed, by a Kogge-Stone-style tree over (generate, propagate) pairs:
msb = A_{w-1} ^ B_{w-1} ^ G_{[0, w-2]}.  Correct when |x - y| < 2^(w-1).
Spec: protocols/ss-functions.md, "Comparisons for n >= 3 parties".
"""
from __future__ import annotations

import numpy as np

from mpc.ss import gmw, share_words


def local_bit_share(anchor, bits: np.ndarray, owner: int):
    """An integer SharedArray (anchor's ring and shape) holding the 0/1 value `bits` of party
    `owner` (its share is the bit, every other party's zero): no communication."""
    mine = bits if anchor.context.me == owner else np.zeros_like(bits)
    return share_words.from_ints(anchor, mine, anchor.shape)


def layer_ands(parties: int, width: int) -> list[int]:
    """AND gates per element in each layer (round) of the sign circuit (the spec's formula)."""
    layers, words = [], parties
    while words > 2:
        groups = words // 3
        layers.append(groups * (width - 1))    # the carry out of the top bit is never needed
        words -= groups
    layers.append(width - 1)                   # generate bits of positions 0 .. w-2
    groups = width - 1                         # the tree; the group holding bit 0 needs no P
    while groups > 1:
        pairs = groups // 2
        layers.append(2 * pairs - 1)
        groups -= pairs
    return layers


def and_count(parties: int, width: int) -> int:
    return sum(layer_ands(parties, width))


def and_depth(parties: int, width: int) -> int:
    return len(layer_ands(parties, width))


def costs(parties: int, width: int, count: int) -> dict:
    """Bytes summed over all parties and rounds of `negative` on `count` elements, after the
    once-per-pair base OTs, with triples for the B2A products from the dealer (add their cost for
    OT-made triples: protocols/ss-additive.md).  Wire headers included."""
    from mpc.ot.costs import iknp_bytes
    from mpc.transport.wire import header_bytes
    pairs = parties * (parties - 1)
    ands = and_count(parties, width) * count
    ot = iknp_bytes("chosen-ot", ands, 1)
    triples = pairs * (ot["receiver"] + ot["sender"])
    online = sum(pairs * (-(-2 * k * count // 8) + header_bytes(gmw.TAG_AND)) for k in layer_ands(parties, width))
    b2a = (parties - 1) * pairs * (16 * count + header_bytes("ss:mul"))
    return {"and_gates": ands, "triple_bytes": triples, "online_bytes": online, "b2a_bytes": b2a,
            "bytes": triples + online + b2a, "and_rounds": and_depth(parties, width),
            "b2a_rounds": parties - 1}


def sign_bits(context, words: np.ndarray) -> np.ndarray:
    """My XOR share of msb(sum over parties of their words) per element; `words` is my (w, N)."""
    width, count = words.shape
    me, parties = context.me, context.parties
    gates = gmw.AndGates(context, and_count(parties, width) * count)
    zero = np.zeros_like(words)
    operands = [words if p == me else zero for p in range(parties)]
    while len(operands) > 2:          # one layer of 3:2 compressors, all ANDs in one round
        groups = len(operands) // 3
        a = np.stack([operands[3 * g] for g in range(groups)])
        b = np.stack([operands[3 * g + 1] for g in range(groups)])
        c = np.stack([operands[3 * g + 2] for g in range(groups)])
        carry = gates((a ^ c)[:, :-1], (b ^ c)[:, :-1]) ^ c[:, :-1]
        shifted = np.concatenate([np.zeros_like(carry[:, :1]), carry], axis=1)
        rest = operands[3 * groups:]
        operands = [x for g in range(groups) for x in (a[g] ^ b[g] ^ c[g], shifted[g])] + rest
    high, low = operands
    generate = gates(high[:-1], low[:-1])          # (w-1, N)
    propagate = high[:-1] ^ low[:-1]
    carry = _carry_tree(gates, generate, propagate)
    return high[-1] ^ low[-1] ^ carry


def _carry_tree(gates, generate: np.ndarray, propagate: np.ndarray) -> np.ndarray:
    """G of the whole range [0, w-2]: pairs (G, P) combine as (G_hi ^ P_hi G_lo, P_hi P_lo), one
    AND layer per tree level (P of a group that holds bit 0 is never needed)."""
    groups = [(generate[i], propagate[i]) for i in range(generate.shape[0])]
    while len(groups) > 1:
        pairs = [(groups[i], groups[i + 1]) for i in range(0, len(groups) - 1, 2)]
        left = [hi[1] for _, hi in pairs] + [hi[1] for lo, hi in pairs[1:]]
        right = [lo[0] for lo, _ in pairs] + [lo[1] for lo, hi in pairs[1:]]
        products = gates(np.stack(left), np.stack(right))
        count = len(pairs)
        nxt = [(pairs[0][1][0] ^ products[0], None)]
        for k in range(1, count):
            (lo, hi) = pairs[k]
            nxt.append((hi[0] ^ products[k], products[count + k - 1]))
        if len(groups) % 2:
            nxt.append(groups[-1])
        groups = nxt
    return groups[0][0]


def bit_to_arithmetic(anchor, bits: np.ndarray):
    """Additive shares (anchor's ring) of the XOR of every party's `bits`: fold t <- t + b - 2 t b
    over the parties' bits, n - 1 Beaver products of integers (exact)."""
    parties = anchor.context.parties
    total = local_bit_share(anchor, bits, 0)
    for owner in range(1, parties):
        other = local_bit_share(anchor, bits, owner)
        total = total + other - 2 * (total * other)
    return total


def negative(d):
    """Integer 0/1 shares of [d < 0] (d's ring read as two's complement) for any number of parties."""
    if d.size == 0:
        return d._new(share_words.ring_of(d).zeros(d.shape), 0)
    bits = sign_bits(d.context, share_words.bits(d))
    return bit_to_arithmetic(d._new(d.share, 0), bits)


def less_than(x, y):
    """Integer 0/1 shares of x < y (same session, shape and scale); correct when |x - y| < 2^(w-1)
    for the ring width w."""
    return negative(x - y)
