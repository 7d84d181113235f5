"""Beaver triples over Z_2^64 and Z_2^128 for the online phase: Gilboa's OT-based triples (the
secure default) and `InsecureDealer` (tests and benchmarks only; every session using it logs a
warning).

For mpc.ss.beaver through `SharingContext.triples`.  A triple is additive shares of a, b uniform and
c = a b; a matrix triple has c = a @ b.  Every party draws its own a_i, b_i, so
    c = sum_i a_i b_i + sum_{i != j} a_i b_j,
and each cross term a_i b_j becomes additive shares between i and j with k correlated OTs over
Z_2^k, k = 64 or 128 (Gilboa 1999): party i receives with the bits of a_i as choices, party j sends
with offsets b_j 2^t, and sum_t (x_t + a_it b_j 2^t) - sum_t x_t = a_i b_j.  In Z_2^128 OT t only
needs the top 128 - t bits of its correction (the low t bits of b_j 2^t are zero and the sender's
pads are reduced mod 2^(128 - t) after the shift), which the sender packs (`gilboa_z128`).  Triples can be made ahead
of use (`prepare`) and are consumed in order; every party must make the same calls.
Spec: protocols/ss-additive.md, "Offline phase".
"""
from __future__ import annotations

import logging

import numpy as np

from mpc.ss.pairwise import PairwiseOt

from mpc.ss.randomness import random_bytes
from mpc.ss.ring import RING64, RING128, contiguous

TAG_DEALER_SEED = "ss:dealer-seed"
CHUNK_OTS = 1 << 19               # OTs per batch (2^13 products in Z_2^64, 2^12 in Z_2^128): 8 MB of pads, two in flight
_SHIFTS = np.arange(64, dtype=np.uint64)
log = logging.getLogger("mpc.ss")
VECTOR_MIN_COLUMNS = 4            # matrix triples with p >= 4 columns use vector OT (8p-byte messages)
VECTOR_CHUNK_BYTES = 1 << 24      # bytes of one OT message array per chosen-OT batch


def make_triple_source(context, kind: str):
    if kind == "ot":
        return GilboaTriples(context)
    if kind == "insecure-dealer":
        return InsecureDealer(context)
    raise ValueError(f"unknown triple source {kind!r}")


class _TriplePool:
    """Elementwise triples made ahead of use, consumed first in, first out."""

    def __init__(self):
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.available = 0
        self.generated = 0

    def put(self, a, b, c) -> None:
        self._parts.append((a, b, c))
        self.available += a.size
        self.generated += a.size

    def take(self, count: int, dtype):
        if self._parts and self._parts[0][0].size == count:     # the common case: no copy
            self.available -= count
            return self._parts.pop(0)
        out = [np.empty(count, dtype) for _ in range(3)]
        filled = 0
        while filled < count:
            a, b, c = self._parts[0]
            use = min(a.size, count - filled)
            for dst, src in zip(out, (a, b, c)):
                dst[filled:filled + use] = src[:use]
            if use == a.size:
                self._parts.pop(0)
            else:
                self._parts[0] = (a[use:], b[use:], c[use:])
            filled += use
        self.available -= count
        return tuple(out)


class TripleSource:
    """What beaver.py consumes: `take(count, ring)` and `take_matrix(m, k, n, ring)`; `prepare(count,
    ring)` ahead.  One pool per ring; the ring defaults to Z_2^128 (the ring of reals)."""

    secure = True

    def __init__(self, context):
        self.context = context
        self.pools = {RING64.bits: _TriplePool(), RING128.bits: _TriplePool()}

    @property
    def pool(self) -> _TriplePool:
        return self.pools[RING128.bits]

    def prepare(self, count: int, ring=RING128) -> None:
        """Offline phase: make `count` elementwise triples now for later multiplications."""
        if count > 0:
            self.pools[ring.bits].put(*self.generate(int(count), ring))

    def take(self, count: int, ring=RING128):
        pool = self.pools[ring.bits]
        if pool.available < count:
            self.prepare(count - pool.available, ring)
        return pool.take(count, ring.dtype)

    def take_matrix(self, m: int, k: int, n: int, ring=RING128):
        return self.generate_matrix(m, k, n, ring)

    def generate(self, count: int, ring=RING128):
        raise NotImplementedError

    def generate_matrix(self, m: int, k: int, n: int, ring=RING128):
        raise NotImplementedError


class GilboaTriples(TripleSource, PairwiseOt):
    """Triples from IKNP correlated OT over Z_2^64 or Z_2^128, pairwise over all ordered pairs of
    parties (the OT roles and the pair order come from PairwiseOt)."""

    def _cross_terms(self, a_words: np.ndarray, b_words: np.ndarray, ring) -> np.ndarray:
        """Sum over all cross pairs of my shares of a_i b_j (a_words / b_words laid out per product).

        Pipelined: in step k every party first sends the u of chunk k + 1 for each pair where it
        receives, then answers chunk k for each pair where it sends, then finishes chunk k.  So
        each party works as sender and receiver at once (both cores busy with two parties) and
        never waits on a message that its peer has not already been able to send."""
        me = self.context.me
        a_words = contiguous(ring.asarray(a_words)).ravel()
        b_words = contiguous(ring.asarray(b_words)).ravel()
        total = ring.zeros(a_words.size)
        pairs = list(self._pairs())
        chunk = CHUNK_OTS // ring.bits
        parts = [slice(start, min(start + chunk, a_words.size)) for start in range(0, a_words.size, chunk)]
        started: list[list] = []
        self._set_up_pairs()

        def start(k: int) -> None:
            if k < len(parts):
                started.append([(sender_party, self._start_receiving(a_words[parts[k]], sender_party, ring))
                                for receiver_party, sender_party in pairs if receiver_party == me])

        start(0)
        for k, part in enumerate(parts):
            start(k + 1)
            for receiver_party, sender_party in pairs:
                if sender_party == me:
                    total[part] = ring.add(total[part], self._send_cross(b_words[part], receiver_party, ring))
            for sender_party, pending in started.pop(0):
                total[part] = ring.add(total[part], self._finish_receiving(pending, sender_party, ring))
        return total

    def _start_receiving(self, mine: np.ndarray, peer: int, ring):
        _, receiver = self._roles(peer)
        if ring is RING64:
            bits = np.unpackbits(ring.to_wire(mine).view(np.uint8), bitorder="little")
            return mine.size, receiver.correlated_z64_start(bits)
        return mine.size, receiver.gilboa_z128_start(mine)

    def _finish_receiving(self, pending, peer: int, ring) -> np.ndarray:
        _, receiver = self._roles(peer)
        size, state = pending
        if ring is RING64:
            return ring.sum(receiver.correlated_z64_finish(state).reshape(size, ring.bits), axis=1)
        return receiver.gilboa_z128_finish(state)

    def _send_cross(self, mine: np.ndarray, peer: int, ring) -> np.ndarray:
        sender, _ = self._roles(peer)
        if ring is RING64:
            x = sender.correlated_z64((mine[:, None] << _SHIFTS[None, :]).ravel())
            return ring.neg(ring.sum(x.reshape(mine.size, ring.bits), axis=1))
        return sender.gilboa_z128(mine)

    def generate(self, count: int, ring=RING128):
        rng = self.context.rng
        a, b = ring.random(rng, count), ring.random(rng, count)
        c = ring.add(ring.mul(a, b), self._cross_terms(a, b, ring))
        return a, b, c

    def generate_matrix(self, m: int, k: int, n: int, ring=RING128):
        """Matrix triple: cross terms A_i @ B_j by vector OT when B has several columns, else by
        one scalar cross product per (row, inner, column)."""
        rng = self.context.rng
        a, b = ring.random(rng, (m, k)), ring.random(rng, (k, n))
        c = ring.matmul(a, b)
        me = self.context.me
        if n < VECTOR_MIN_COLUMNS:
            a_words = contiguous(np.broadcast_to(a[:, :, None], (m, k, n))).ravel()
            b_words = contiguous(np.broadcast_to(b[None, :, :], (m, k, n))).ravel()
            cross = self._cross_terms(a_words, b_words, ring)
            return a, b, ring.add(c, ring.sum(cross.reshape(m, k, n), axis=1))
        for receiver_party, sender_party in self._pairs():
            if receiver_party == me:
                c = ring.add(c, self.cross_matrix(a, n, True, sender_party, ring))
            else:
                c = ring.add(c, self.cross_matrix(b, m, False, receiver_party, ring))
        return a, b, c

    def cross_matrix(self, mine: np.ndarray, other_dim: int, receive_from_peer: bool, peer: int,
                     ring=RING128) -> np.ndarray:
        """Additive share of A @ B (receiver holds A (m, k), sender holds B (k, p)) by vector OT.

        One chosen-message OT per bit of A: for OT (r, l, bit) the receiver chooses with bit `bit`
        of A[r, l]; the sender offers x and x + B[l, :] 2^bit (p ring elements each, x uniform).
        The receiver sums what it gets, the sender sums -x: together sum_{l, bit} A[r,l]_bit
        B[l,:] 2^bit.  `other_dim` is m for the sender and p for the receiver.
        """
        sender, receiver = self._roles(peer)
        width_bits = ring.bits
        if receive_from_peer:
            m, k = mine.shape
            p = other_dim
        else:
            k, p = mine.shape
            m = other_dim
        width = ring.element_bytes * p
        rows_per_chunk = max(1, VECTOR_CHUNK_BYTES // (k * width_bits * width))
        out = ring.zeros((m, p))
        if receive_from_peer:
            bits = np.unpackbits(ring.to_wire(contiguous(mine)).view(np.uint8),
                                 bitorder="little").reshape(m, k * width_bits)
        else:
            offsets = np.stack([ring.shl(mine, t) for t in range(width_bits)], axis=1)   # (k, bits, p)
        for r0 in range(0, m, rows_per_chunk):
            rows = min(rows_per_chunk, m - r0)
            if receive_from_peer:
                got = receiver.chosen(bits[r0:r0 + rows].ravel(), width)
                got = ring.from_wire(contiguous(got).view(np.uint64), (rows, k * width_bits, p))
                out[r0:r0 + rows] = ring.sum(got, axis=1)
            else:
                x = ring.random(self.context.rng, (rows, k, width_bits, p))
                shifted = ring.add(x, np.broadcast_to(offsets[None], x.shape))
                sender.chosen(ring.to_wire(x).reshape(-1, p * ring.bits // 64).view(np.uint8),
                              ring.to_wire(shifted).reshape(-1, p * ring.bits // 64).view(np.uint8))
                out[r0:r0 + rows] = ring.neg(ring.sum(x.reshape(rows, k * width_bits, p), axis=1))
        return out


class InsecureDealer(TripleSource):
    """INSECURE, for tests and benchmarks only: triples from a seed that party 0 sends in the clear.

    Every party can recompute everyone's triple shares from the seed, so these triples protect
    nothing.  They stand in for an offline phase when only the online phase is being measured.
    """

    secure = False

    def __init__(self, context):
        super().__init__(context)
        log.warning("party %d: this session's Beaver triples come from the INSECURE dealer (a seed sent in "
                    "the clear): for tests and benchmarks only, it protects nothing", context.me)
        from mpc.prg import SEED_BYTES, Prg
        if context.me == 0:
            seed = random_bytes(context.rng, SEED_BYTES)
            for peer in context.peers:
                context.channel(peer).send(TAG_DEALER_SEED, seed)
        else:
            seed = bytes(context.channel(0).recv_bytes(TAG_DEALER_SEED, SEED_BYTES))
        root = Prg(seed)
        self._streams = {bits: [root.derive(f"dealer-party-{p}" + ("" if bits == 64 else f"-z{bits}"))
                                for p in range(context.parties)] for bits in (64, 128)}

    def _draw(self, party: int, shape_a, shape_b, shape_c, ring):
        stream = self._streams[ring.bits][party]
        a = ring.random(stream, shape_a)
        b = ring.random(stream, shape_b)
        c = ring.random(stream, shape_c) if party != 0 else None
        return a, b, c

    def _deal(self, shape_a, shape_b, shape_c, product, ring):
        me, parties = self.context.me, self.context.parties
        if me != 0:
            return self._draw(me, shape_a, shape_b, shape_c, ring)
        a0, b0, _ = self._draw(0, shape_a, shape_b, shape_c, ring)
        a_total, b_total, c_others = a0.copy(), b0.copy(), ring.zeros(shape_c)
        for p in range(1, parties):
            a, b, c = self._draw(p, shape_a, shape_b, shape_c, ring)
            a_total, b_total, c_others = ring.add(a_total, a), ring.add(b_total, b), ring.add(c_others, c)
        return a0, b0, ring.sub(product(a_total, b_total), c_others)

    def generate(self, count: int, ring=RING128):
        return self._deal((count,), (count,), (count,), ring.mul, ring)

    def generate_matrix(self, m: int, k: int, n: int, ring=RING128):
        return self._deal((m, k), (k, n), (m, n), ring.matmul, ring)
