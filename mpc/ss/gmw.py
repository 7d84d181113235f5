"""GMW over XOR shares for n >= 2 parties: boolean AND triples from OT between every pair, and
batched AND gates (one round per layer of the circuit).

For mpc.ss.compare_n (comparisons of additive shares for n >= 3 parties).  Bits are uint8 0/1 numpy
arrays; a party's XOR share of a bit vector is one such array, the bit is the XOR of all parties'.

Triples (a, b, c = a b): every party draws its own a_i, b_i, so c = XOR_i a_i b_i XOR
XOR_{i != j} a_i b_j; each cross term a_i b_j is one 1-out-of-2 OT between i (receiver, choice a_i)
and j (sender, messages r and r ^ b_j, r a fresh random bit), IKNP chosen-message OT of 1-byte
messages (mpc.ot): i keeps r ^ a_i b_j, j keeps r.  AND of shared x, y: every party publishes
e_i = x_i ^ a_i and f_i = y_i ^ b_i (bit-packed) to every peer; z_i = c_i ^ e b_i ^ f a_i
(^ e f at party 0).  Spec: protocols/ss-functions.md, "Comparisons for n >= 3 parties".
"""
from __future__ import annotations

import numpy as np

from mpc.ss.pairwise import PairwiseOt

from mpc.ss.randomness import random_bits

TAG_AND = "ss:gmw:and"
OT_CHUNK = 1 << 20            # OTs per IKNP call, to bound memory


def _pack(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits.astype(np.uint8, copy=False).ravel(), bitorder="little")


def _unpack(packed: np.ndarray, count: int) -> np.ndarray:
    return np.unpackbits(np.asarray(packed, dtype=np.uint8), bitorder="little")[:count]


class BitTriples(PairwiseOt):
    """Boolean AND triples over IKNP OT between every ordered pair of one session's parties."""

    def __init__(self, context):
        self.context = context

    def take(self, count: int):
        """My shares (a, b, c) of `count` fresh triples, each a uint8 0/1 array."""
        rng, me = self.context.rng, self.context.me
        a, b = random_bits(rng, count), random_bits(rng, count)
        c = a & b
        for receiver_party, sender_party in self._pairs():
            if receiver_party == me:
                c ^= self._receive(a, sender_party)
            else:
                c ^= self._send(b, receiver_party)
        return a, b, c

    def _receive(self, choices: np.ndarray, peer: int) -> np.ndarray:
        _, receiver = self._roles(peer)
        out = np.empty(choices.size, np.uint8)
        for start in range(0, choices.size, OT_CHUNK):
            part = choices[start:start + OT_CHUNK]
            out[start:start + part.size] = receiver.chosen(part, 1)[:, 0] & 1
        return out

    def _send(self, offsets: np.ndarray, peer: int) -> np.ndarray:
        sender, _ = self._roles(peer)
        mine = random_bits(self.context.rng, offsets.size)
        for start in range(0, offsets.size, OT_CHUNK):
            r = mine[start:start + OT_CHUNK]
            sender.chosen(r.reshape(-1, 1), (r ^ offsets[start:start + OT_CHUNK]).reshape(-1, 1))
        return mine


def bit_triples(context) -> BitTriples:
    source = getattr(context, "_gmw_triples", None)
    if source is None:
        source = BitTriples(context)
        context._gmw_triples = source
    return source


def ot_roles(context, peer: int):
    """(IknpSender, IknpReceiver) of this session towards `peer`, set up once and shared by the
    AND triples and the two-party flag conversion (mpc.ss.brackets_gc)."""
    return bit_triples(context)._roles(peer)


class AndGates:
    """Evaluates layers of AND gates on XOR shares with triples made ahead for the whole circuit."""

    def __init__(self, context, total: int):
        self.context = context
        self.a, self.b, self.c = bit_triples(context).take(total) if total else (np.zeros(0, np.uint8),) * 3
        self.used = 0

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """My share of x & y (same shapes), one round: every party opens x ^ a and y ^ b."""
        if x.shape != y.shape:
            raise ValueError(f"AND of shapes {x.shape} and {y.shape}")
        count = x.size
        if self.used + count > self.a.size:
            raise ValueError("the circuit needs more AND triples than were made for it")
        part = slice(self.used, self.used + count)
        a, b, c = (t[part].reshape(x.shape) for t in (self.a, self.b, self.c))
        self.used += count
        e, f = x ^ a, y ^ b
        opened = self._open(np.concatenate([e.ravel(), f.ravel()]))
        e_all, f_all = opened[:count].reshape(x.shape), opened[count:].reshape(x.shape)
        z = c ^ (e_all & b) ^ (f_all & a)
        if self.context.me == 0:
            z ^= e_all & f_all
        return z

    def _open(self, bits: np.ndarray) -> np.ndarray:
        """XOR of every party's bit vector (one message to and from every peer)."""
        ctx = self.context
        packed = _pack(bits)
        for peer in ctx.peers:
            ctx.channel(peer).send(TAG_AND, packed)
        total = packed.copy()
        for peer in ctx.peers:
            total ^= ctx.channel(peer).recv_exact(TAG_AND, np.uint8, packed.shape)
        return _unpack(total, bits.size)
