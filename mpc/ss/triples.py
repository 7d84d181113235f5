"""Beaver triples over Z_2^64 for the online phase: Gilboa's OT-based triples (the secure default)
and `InsecureDealer` (tests and benchmarks only).

For mpc.ss.beaver through `SharingContext.triples`.  A triple is additive shares of a, b uniform and
c = a b; a matrix triple has c = a @ b.  Every party draws its own a_i, b_i, so
    c = sum_i a_i b_i + sum_{i != j} a_i b_j,
and each cross term a_i b_j becomes additive shares between i and j with 64 correlated OTs over
Z_2^64 (Gilboa 1999): party i receives with the bits of a_i as choices, party j sends with
offsets b_j 2^k, and sum_k (x_k + a_ik b_j 2^k) - sum_k x_k = a_i b_j.  Triples can be made ahead
of use (`prepare`) and are consumed in order; every party must make the same calls.
Spec: protocols/ss-additive.md, "Offline phase".
"""
from __future__ import annotations

import numpy as np

from mpc.ss.randomness import random_bytes, random_uint64

TAG_DEALER_SEED = "ss:dealer-seed"
CHUNK_ELEMENTS = 1 << 15          # cross products per OT batch: 2^21 OTs, ~50 MB of OT state
_SHIFTS = np.arange(64, dtype=np.uint64)
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

    def take(self, count: int):
        out = [np.empty(count, np.uint64) for _ in range(3)]
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
    """What beaver.py consumes: `take(count)` and `take_matrix(m, k, n)`; `prepare(count)` ahead."""

    secure = True

    def __init__(self, context):
        self.context = context
        self.pool = _TriplePool()

    def prepare(self, count: int) -> None:
        """Offline phase: make `count` elementwise triples now for later multiplications."""
        if count > 0:
            self.pool.put(*self.generate(int(count)))

    def take(self, count: int):
        if self.pool.available < count:
            self.prepare(count - self.pool.available)
        return self.pool.take(count)

    def take_matrix(self, m: int, k: int, n: int):
        return self.generate_matrix(m, k, n)

    def generate(self, count: int):
        raise NotImplementedError

    def generate_matrix(self, m: int, k: int, n: int):
        raise NotImplementedError


class GilboaTriples(TripleSource):
    """Triples from IKNP correlated OT over Z_2^64, pairwise over all ordered pairs of parties."""

    def __init__(self, context):
        super().__init__(context)
        self._senders = {}
        self._receivers = {}

    def _roles(self, peer: int):
        from mpc.ot import IknpReceiver, IknpSender
        if peer not in self._senders:
            channel = self.context.channel(peer)
            prg = self.context.rng
            # Both directions share the channel: each IKNP tag is sent by one role only, so the two
            # instances never read each other's messages; `_pairs` keeps the order the same.
            self._senders[peer] = IknpSender(channel, prg)
            self._receivers[peer] = IknpReceiver(channel, prg)
        return self._senders[peer], self._receivers[peer]

    def _pairs(self):
        """(receiver, sender) ordered pairs that involve me, in one global order for all parties."""
        n, me = self.context.parties, self.context.me
        for low in range(n):
            for high in range(low + 1, n):
                if me in (low, high):
                    yield low, high
                    yield high, low

    def cross_shares(self, mine: np.ndarray, receive_from_peer: bool, peer: int) -> np.ndarray:
        """Additive share of u * v where u is the receiver's word and v the sender's, per element."""
        sender, receiver = self._roles(peer)
        mine = np.ascontiguousarray(mine, dtype=np.uint64).ravel()
        out = np.empty_like(mine)
        for start in range(0, mine.size, CHUNK_ELEMENTS):
            part = mine[start:start + CHUNK_ELEMENTS]
            if receive_from_peer:   # I hold u: my choice bits are its 64 bits, least significant first
                bits = np.unpackbits(part.view(np.uint8), bitorder="little")
                y = receiver.correlated_z64(bits).reshape(part.size, 64)
                out[start:start + part.size] = y.sum(axis=1, dtype=np.uint64)
            else:                   # I hold v: offsets v 2^k for k = 0..63
                deltas = (part[:, None] << _SHIFTS[None, :]).ravel()
                x = sender.correlated_z64(deltas).reshape(part.size, 64)
                out[start:start + part.size] = np.negative(x.sum(axis=1, dtype=np.uint64))
        return out

    def _cross_terms(self, a_words: np.ndarray, b_words: np.ndarray) -> np.ndarray:
        """Sum over all cross pairs of my shares of a_i b_j (a_words / b_words laid out per product)."""
        total = np.zeros(a_words.size, np.uint64)
        me = self.context.me
        for receiver_party, sender_party in self._pairs():
            if receiver_party == me:
                total += self.cross_shares(a_words, True, sender_party)
            else:
                total += self.cross_shares(b_words, False, receiver_party)
        return total

    def generate(self, count: int):
        rng = self.context.rng
        a, b = random_uint64(rng, count), random_uint64(rng, count)
        c = a * b + self._cross_terms(a, b)
        return a, b, c

    def generate_matrix(self, m: int, k: int, n: int):
        """Matrix triple: cross terms A_i @ B_j by vector OT when B has several columns, else by
        one scalar cross product per (row, inner, column)."""
        rng = self.context.rng
        a, b = random_uint64(rng, (m, k)), random_uint64(rng, (k, n))
        c = a @ b
        me = self.context.me
        for receiver_party, sender_party in self._pairs():
            if n >= VECTOR_MIN_COLUMNS:
                if receiver_party == me:
                    c += self.cross_matrix(a, n, True, sender_party)
                else:
                    c += self.cross_matrix(b, m, False, receiver_party)
                continue
            a_words = np.ascontiguousarray(np.broadcast_to(a[:, :, None], (m, k, n))).ravel()
            b_words = np.ascontiguousarray(np.broadcast_to(b[None, :, :], (m, k, n))).ravel()
            if receiver_party == me:
                cross = self.cross_shares(a_words, True, sender_party)
            else:
                cross = self.cross_shares(b_words, False, receiver_party)
            c += cross.reshape(m, k, n).sum(axis=1, dtype=np.uint64)
        return a, b, c

    def cross_matrix(self, mine: np.ndarray, other_dim: int, receive_from_peer: bool, peer: int) -> np.ndarray:
        """Additive share of A @ B (receiver holds A (m, k), sender holds B (k, p)) by vector OT.

        One chosen-message OT per bit of A: for OT (r, l, bit) the receiver chooses with bit `bit`
        of A[r, l]; the sender offers x and x + B[l, :] 2^bit (p words each, x uniform).  The
        receiver sums what it gets, the sender sums -x: together sum_{l, bit} A[r,l]_bit B[l,:] 2^bit.
        `other_dim` is m for the sender and p for the receiver (the dimension the other side holds).
        """
        sender, receiver = self._roles(peer)
        if receive_from_peer:
            m, k = mine.shape
            p = other_dim
        else:
            k, p = mine.shape
            m = other_dim
        width = 8 * p
        rows_per_chunk = max(1, VECTOR_CHUNK_BYTES // (k * 64 * width))
        out = np.empty((m, p), np.uint64)
        if receive_from_peer:
            bits = np.unpackbits(np.ascontiguousarray(mine).view(np.uint8), bitorder="little").reshape(m, k * 64)
        else:
            offsets = mine[:, None, :] << _SHIFTS[None, :, None]          # (k, 64, p)
        for r0 in range(0, m, rows_per_chunk):
            rows = min(rows_per_chunk, m - r0)
            if receive_from_peer:
                got = receiver.chosen(bits[r0:r0 + rows].ravel(), width).view(np.uint64)
                out[r0:r0 + rows] = got.reshape(rows, k * 64, p).sum(axis=1, dtype=np.uint64)
            else:
                x = random_uint64(self.context.rng, (rows, k, 64, p))
                shifted = x + offsets[None]
                sender.chosen(x.reshape(-1, p).view(np.uint8), shifted.reshape(-1, p).view(np.uint8))
                out[r0:r0 + rows] = np.negative(x.sum(axis=(1, 2), dtype=np.uint64))
        return out


class InsecureDealer(TripleSource):
    """INSECURE, for tests and benchmarks only: triples from a seed that party 0 sends in the clear.

    Every party can recompute everyone's triple shares from the seed, so these triples protect
    nothing.  They stand in for an offline phase when only the online phase is being measured.
    """

    secure = False

    def __init__(self, context):
        super().__init__(context)
        from mpc.prg import SEED_BYTES, Prg
        if context.me == 0:
            seed = random_bytes(context.rng, SEED_BYTES)
            for peer in context.peers:
                context.channel(peer).send(TAG_DEALER_SEED, seed)
        else:
            seed = bytes(context.channel(0).recv_bytes(TAG_DEALER_SEED, SEED_BYTES))
        root = Prg(seed)
        self._streams = [root.derive(f"dealer-party-{p}") for p in range(context.parties)]

    def _draw(self, party: int, shape_a, shape_b, shape_c):
        stream = self._streams[party]
        a = random_uint64(stream, shape_a)
        b = random_uint64(stream, shape_b)
        c = random_uint64(stream, shape_c) if party != 0 else None
        return a, b, c

    def _deal(self, shape_a, shape_b, shape_c, product):
        me, parties = self.context.me, self.context.parties
        if me != 0:
            return self._draw(me, shape_a, shape_b, shape_c)
        a0, b0, _ = self._draw(0, shape_a, shape_b, shape_c)
        a_total, b_total, c_others = a0.copy(), b0.copy(), np.zeros(shape_c, np.uint64)
        for p in range(1, parties):
            a, b, c = self._draw(p, shape_a, shape_b, shape_c)
            a_total += a
            b_total += b
            c_others += c
        return a0, b0, product(a_total, b_total) - c_others

    def generate(self, count: int):
        return self._deal((count,), (count,), (count,), lambda a, b: a * b)

    def generate_matrix(self, m: int, k: int, n: int):
        return self._deal((m, k), (k, n), (m, n), lambda a, b: a @ b)
