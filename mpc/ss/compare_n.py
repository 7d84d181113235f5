"""Comparisons of additive shares for n >= 3 parties: bit decomposition by GMW, then B2A.

For mpc.ss.compare (which sends sessions of more than two parties here).  x < y is the sign bit of
d = x - y (local): each party's share d_i is its input word to a boolean circuit over XOR shares
(mpc.ss.gmw), which adds the n words and outputs the most significant bit of the sum, XOR-shared;
the bit is turned into an additive share of the array's ring by (n - 1)^2 OT batches (B2A).

Circuit (w = ring width, log depth): carry-save adders reduce the n words to two (layers of 3:2
compressors, one AND per bit: maj(a, b, c) = ((a ^ c) & (b ^ c)) ^ c), then only the carry into
bit w - 1 of their sum is computed, by a Kogge-Stone-style tree over (generate, propagate) pairs:
msb = A_{w-1} ^ B_{w-1} ^ G_{[0, w-2]}.  Correct when |x - y| < 2^(w-1).
Spec: protocols/ss-functions.md, "Comparisons for n >= 3 parties".
"""
from __future__ import annotations

import numpy as np

from mpc.ss import gmw, share_words


def _csa_layers(parties: int, width: int) -> list[int]:
    layers, words = [], parties
    while words > 2:
        groups = words // 3
        layers.append(groups * (width - 1))    # the carry out of the top bit is never needed
        words -= groups
    return layers


def _msb_layers(width: int) -> list[int]:
    layers = [width - 1]                       # generate bits of positions 0 .. w-2
    groups = width - 1                         # the tree; the group holding bit 0 needs no P
    while groups > 1:
        pairs = groups // 2
        layers.append(2 * pairs - 1)
        groups -= pairs
    return layers


def layer_ands(parties: int, width: int) -> list[int]:
    """AND gates per element in each layer (round) of the sign circuit (the spec's formula)."""
    return _csa_layers(parties, width) + _msb_layers(width)


def threshold_layer_ands(parties: int, width: int, thresholds: int) -> list[int]:
    """AND gates per element in each layer of `at_least` with T thresholds: the parties' words
    reduced to two once, A & B once, then per threshold only the msb of a sum of two words."""
    return (_csa_layers(parties, width) + [width - 1]
            + [thresholds * k for k in _msb_layers(width)])


def and_count(parties: int, width: int) -> int:
    return sum(layer_ands(parties, width))


def and_depth(parties: int, width: int) -> int:
    return len(layer_ands(parties, width))


def threshold_costs(parties: int, width: int, count: int, thresholds: int) -> dict:
    """Bytes summed over all parties of `at_least` with T thresholds on `count` elements (after
    the base OTs; no Beaver triples); headers included."""
    from mpc.ot.costs import iknp_bytes
    from mpc.transport.wire import header_bytes
    pairs = parties * (parties - 1)
    layers = threshold_layer_ands(parties, width, thresholds)
    ot = iknp_bytes("chosen-ot", sum(layers) * count, 1)
    conversion = iknp_bytes("chosen-ot", thresholds * count, width // 8)
    return {"triple_bytes": pairs * (ot["receiver"] + ot["sender"]),
            "online_bytes": sum(pairs * (-(-2 * k * count // 8) + header_bytes(gmw.TAG_AND)) for k in layers),
            "b2a_bytes": (parties - 1) ** 2 * (conversion["receiver"] + conversion["sender"]),
            "and_rounds": len(layers)}


def costs(parties: int, width: int, count: int) -> dict:
    """Bytes summed over all parties and rounds of `negative` on `count` elements, after the
    once-per-pair base OTs; every byte is OT or GMW openings (no Beaver triples are used, so the
    session's triple source does not matter).  Wire headers included."""
    from mpc.ot.costs import iknp_bytes
    from mpc.transport.wire import header_bytes
    pairs = parties * (parties - 1)
    ands = and_count(parties, width) * count
    ot = iknp_bytes("chosen-ot", ands, 1)
    triples = pairs * (ot["receiver"] + ot["sender"])
    online = sum(pairs * (-(-2 * k * count // 8) + header_bytes(gmw.TAG_AND)) for k in layer_ands(parties, width))
    conversion = iknp_bytes("chosen-ot", count, width // 8)
    b2a = (parties - 1) * (parties - 1) * (conversion["receiver"] + conversion["sender"])
    return {"and_gates": ands, "triple_bytes": triples, "online_bytes": online, "b2a_bytes": b2a,
            "bytes": triples + online + b2a, "and_rounds": and_depth(parties, width),
            "b2a_flights": 2 * (parties - 1)}


def sign_bits(context, words: np.ndarray) -> np.ndarray:
    """My XOR share of msb(sum over parties of their words) per element; `words` is my (w, N)."""
    width, count = words.shape
    gates = gmw.AndGates(context, and_count(context.parties, width) * count)
    high, low = _two_words(gates, context, words)
    return _msb_of_sum(gates, high, low)


def _two_words(gates, context, words: np.ndarray):
    """XOR shares of two words whose sum is the sum of the parties' words: layers of 3:2
    compressors, all ANDs of a layer in one round."""
    me, parties = context.me, context.parties
    zero = np.zeros_like(words)
    operands = [words if p == me else zero for p in range(parties)]
    while len(operands) > 2:
        groups = len(operands) // 3
        a = np.stack([operands[3 * g] for g in range(groups)])
        b = np.stack([operands[3 * g + 1] for g in range(groups)])
        c = np.stack([operands[3 * g + 2] for g in range(groups)])
        carry = gates((a ^ c)[:, :-1], (b ^ c)[:, :-1]) ^ c[:, :-1]
        shifted = np.concatenate([np.zeros_like(carry[:, :1]), carry], axis=1)
        rest = operands[3 * groups:]
        operands = [x for g in range(groups) for x in (a[g] ^ b[g] ^ c[g], shifted[g])] + rest
    return operands[0], operands[1]


def _msb_of_sum(gates, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    generate = gates(high[:-1], low[:-1])          # (w-1, N)
    propagate = high[:-1] ^ low[:-1]
    carry = _carry_tree(gates, generate, propagate)
    return high[-1] ^ low[-1] ^ carry


def threshold_signs(context, words: np.ndarray, constants) -> np.ndarray:
    """My XOR shares (T, N) of msb(x - c_t) for public ints c_t, x the sum of the parties' words.

    x = A + B once; A + B - c = S + 2 M with S = A ^ B ^ K and M = maj(A, B, K) for the public
    K = -c mod 2^w, and maj is A & B where K_i = 0, A | B where K_i = 1: both computed once, so each
    threshold costs only the msb circuit of S + 2M."""
    width, count = words.shape
    kinds = len(constants)
    gates = gmw.AndGates(context, sum(threshold_layer_ands(context.parties, width, kinds)) * count)
    high, low = _two_words(gates, context, words)
    both = gates(high[:-1], low[:-1])
    either = high[:-1] ^ low[:-1] ^ both
    k = np.array([[((-int(c)) >> i) & 1 for i in range(width)] for c in constants], dtype=np.uint8)
    sums = np.broadcast_to(high ^ low, (kinds, width, count)).copy()
    if context.me == 0:                            # the public K joins party 0's share
        sums ^= k[:, :, None]
    majority = np.where(k[:, :-1, None].astype(bool), either[None], both[None])
    carries = np.concatenate([np.zeros((kinds, 1, count), np.uint8), majority], axis=1)
    flat_sums = np.ascontiguousarray(sums.transpose(1, 0, 2)).reshape(width, kinds * count)
    flat_carries = np.ascontiguousarray(carries.transpose(1, 0, 2)).reshape(width, kinds * count)
    return _msb_of_sum(gates, flat_sums, flat_carries).reshape(kinds, count)


def at_least(x, constants):
    """Integer 0/1 shares (T, N) of [x_i >= c_t] for public ints c_t (x's scale applied), any
    number of parties; correct when |x - c_t| < 2^(w-1)."""
    flat = x.reshape(-1)
    count, kinds = flat.size, len(constants)
    anchor = flat[np.tile(np.arange(count), kinds)].reshape(kinds, count)
    if count == 0 or kinds == 0:
        return anchor._new(share_words.ring_of(x).zeros(anchor.shape), 0)
    below = threshold_signs(x.context, share_words.bits(flat), constants)
    if x.context.me == 0:                          # [x >= c] = NOT [x < c]: party 0 flips
        below = below ^ 1
    return bit_to_arithmetic(anchor, below.reshape(-1))


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
    """Additive shares (anchor's ring and shape) of the XOR of every party's `bits`.

    Fold t <- t + b_i - 2 t b_i over the parties i = 1 .. n-1 (t starts as party 0's bit), where
    b_i is known to party i alone, so t b_i = t_i b_i (local at i) + sum over j != i of t_j b_i, each
    cross term one OT between i (receiver, choice b_i) and j (sender, words x and x + t_j, x
    uniform): i keeps x + b_i t_j, j keeps -x.  n - 1 steps of (n - 1) OT batches, no Beaver
    triples."""
    ctx, ring = anchor.context, share_words.ring_of(anchor)
    me, count = ctx.me, bits.size
    bits = np.ascontiguousarray(bits, dtype=np.uint8).reshape(-1)
    word_bytes = ring.bits // 8
    mine_bit = ring.from_int(bits.astype(np.int64))
    zero = ring.zeros(count)
    total = mine_bit if me == 0 else zero
    for owner in range(1, ctx.parties):
        if me == owner:
            product = ring.zeros(count)
            chosen = bits.astype(bool)
            product[chosen] = total[chosen]                       # t_i b_i
            for peer in ctx.peers:
                _, receiver = gmw.ot_roles(ctx, peer)
                got = np.ascontiguousarray(receiver.chosen(bits, word_bytes))
                product = ring.add(product, ring.from_wire(got.view(np.uint64), (count,)))
            added = mine_bit
        else:
            sender, _ = gmw.ot_roles(ctx, owner)
            pad = ring.random(ctx.rng, count)
            sender.chosen(_wire_bytes(ring, pad, word_bytes), _wire_bytes(ring, ring.add(pad, total), word_bytes))
            product = ring.sub(zero, pad)
            added = zero
        total = ring.sub(ring.add(total, added), ring.add(product, product))
    return anchor._new(total.reshape(anchor.shape), 0)


def _wire_bytes(ring, elements, word_bytes: int) -> np.ndarray:
    return np.ascontiguousarray(ring.to_wire(elements), dtype=np.uint64).view(np.uint8).reshape(-1, word_bytes)


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
