"""Products of one party's PLAINTEXT integer matrix with the other party's ring vector, as
additive shares over Z_2^64: the cross terms of vertical logistic regression (protocols/lr-vertical.md,
"Plaintext x share products").

For mpc.ml.ss_guest / mpc.ml.ss_host.  The receiver R holds v in Z_2^64 (k words, typically its
share of a secret-shared vector); the sender S holds an integer matrix M (k x L) in the clear
(its own features).  They obtain shares of P[l, :] = v[l] * M[l, :] mod 2^64, summed over l on
request (v^T M).  Gilboa's product sharing (CRYPTO 1999) with vector messages, as in SecureML's
OT-based offline phase (Mohassel-Zhang 2017, section 4.2), but with M in the clear, so no masking
of M and one message per OT:

* 64k random OTs (IKNP, mpc.ot): R chooses with the bits of v, least significant first;
  S gets keys (m0, m1), R gets m_b;
* both expand a key to L words with the tweakable correlation-robust hash of mpc.native.ot
  (H_L(tweak, m)): P0 = H_L(m0), P1 = H_L(m1);
* S sends C = P0 + 2^j M[l, :] - P1 (L words per OT) and keeps -sum_j P0;
* R keeps sum_j (H_L(m_b) + b C) = sum_j (P0 + b 2^j M[l, :]).

Cost per call: 16 * ceil(64k / 128) * 128 bytes R -> S (IKNP columns) and 8 * 64k * L bytes
S -> R, two flights.  Nothing here truncates: callers keep every value within 63 bits, so the
shares sum to the exact integer product (mpc.ml.fixedpoint has the budget).
What should move into mpc.ss: this is the "private matrix times shared vector" primitive
(a one-sided matrix triple); with the 128-bit ring it would work on 128-bit words unchanged in
structure (128 OTs per element, 16-byte words).
"""
from __future__ import annotations

import hashlib

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import ot as native_ot

TAG_CORRECTION = "ml:ole"
BITS = 64
CHUNK_WORDS = 1 << 21          # OT-expanded words per chunk (16 MB per array) to bound memory
_SHIFTS = np.arange(BITS, dtype=np.uint64)
_DOMAIN = b"mpc/ml/ole/hash-key/v1"


def iknp_u_bytes(ots: int) -> int:
    """Bytes of IKNP columns for `ots` random OTs (padded to blocks of 128), headers excluded."""
    return 16 * 128 * -(-ots // 128)


def product_bytes(k: int, width: int) -> dict:
    """Payload bytes of one product with k receiver words and width L (headers excluded),
    as (receiver -> sender, sender -> receiver), chunked the way `PlainProduct` does it."""
    to_sender = to_receiver = 0
    for rows, cols in _chunk_plan(k, width):
        to_sender += iknp_u_bytes(BITS * rows)
        to_receiver += 8 * BITS * rows * cols
    return {"receiver": to_sender, "sender": to_receiver, "messages": len(_chunk_plan(k, width))}


def _chunk_plan(k: int, width: int) -> list:
    """(rows, columns) of every chunk: columns first split so one chunk has <= CHUNK_WORDS words."""
    plan = []
    cols_per = max(1, min(width, CHUNK_WORDS // (BITS * max(k, 1))))
    rows_per = max(1, min(k, CHUNK_WORDS // (BITS * cols_per)))
    for r0 in range(0, k, rows_per):
        rows = min(rows_per, k - r0)
        for c0 in range(0, width, cols_per):
            plan.append((rows, min(cols_per, width - c0)))
    return plan


def _chunks(k: int, width: int):
    cols_per = max(1, min(width, CHUNK_WORDS // (BITS * max(k, 1))))
    rows_per = max(1, min(k, CHUNK_WORDS // (BITS * cols_per)))
    for r0 in range(0, k, rows_per):
        for c0 in range(0, width, cols_per):
            yield slice(r0, min(k, r0 + rows_per)), slice(c0, min(width, c0 + cols_per))


class PlainProduct:
    """Both directions of the product between this party and its peer on one channel.

    Every party must make the same sequence of calls (one side `send`, the other `receive`, with
    the same k and L).  `prg` is the session's PRG; `session_id` separates the hash key.
    """

    def __init__(self, channel, prg, session_id: bytes, me: int, timeout: float | None = None):
        from mpc.ot import IknpReceiver, IknpSender
        self.channel = channel
        self.timeout = timeout
        self._sender = IknpSender(channel, prg, timeout=timeout)
        self._receiver = IknpReceiver(channel, prg, timeout=timeout)
        key = hashlib.sha256(_DOMAIN + bytes(session_id)).digest()[:16]
        self._schedule = native_ot.expand_keys(np.frombuffer(key, np.uint8).reshape(1, 16))
        self._me = int(me)
        self._sent_ots = 0       # tweak counters: my sender direction and my receiver direction
        self._received_ots = 0
        self._ready = False

    def _setup(self) -> None:
        """Both IKNP base-OT set-ups in one order at both ends (party 0's sender direction first),
        so that `exchange`, where both parties start as receivers, cannot deadlock."""
        if self._ready:
            return
        first, second = (self._sender, self._receiver) if self._me == 0 else (self._receiver, self._sender)
        first.setup()
        second.setup()
        self._ready = True

    def _tweak(self, counter: int, sender_party: int) -> int:
        return 2 * counter + sender_party    # distinct per OT and direction, same at both ends

    def _expand(self, keys: np.ndarray, tweak: int, width: int) -> np.ndarray:
        out = native_ot.hash_rows(self._schedule, tweak, keys, out_len=8 * width)
        return out.view(np.uint64)

    def send(self, matrix: np.ndarray, *, total: bool = True) -> np.ndarray:
        """Sender side with M (k, L) integers in the clear: my share of v^T M (L,) or of the
        rows v[l] M[l, :] (k, L) when total=False."""
        self._setup()
        matrix = np.ascontiguousarray(matrix, dtype=np.int64).view(np.uint64)
        k, width = matrix.shape
        out = np.zeros((k, width), np.uint64)
        for rows, cols in _chunks(k, width):
            part = matrix[rows, cols]
            r, c = part.shape
            m0, m1 = self._sender.random(BITS * r)
            tweak = self._tweak(self._sent_ots, self._me)
            self._sent_ots += BITS * r * c
            with np.errstate(over="ignore"):
                p0 = self._expand(m0, tweak, c).reshape(r, BITS, c)
                p1 = self._expand(m1, tweak, c).reshape(r, BITS, c)
                correction = p0 + (part[:, None, :] << _SHIFTS[None, :, None])
                correction -= p1
                self.channel.send(TAG_CORRECTION, correction)
                out[rows, cols] = np.negative(p0.sum(axis=1, dtype=np.uint64))
        return out.sum(axis=0, dtype=np.uint64) if total else out

    def exchange(self, matrix: np.ndarray, vector: np.ndarray, width: int, *, total: bool = True):
        """Both directions at once, each party sender of `matrix` and receiver with `vector`:
        (my share of matrix x peer's vector, my share of peer's matrix x my vector).  The peer
        calls exchange too.  Both first send their IKNP columns, then their corrections, so
        neither waits for the other's computation (same messages and bytes as send + receive)."""
        self._setup()
        vector = np.ascontiguousarray(vector, dtype=np.uint64).reshape(-1)
        k_recv = vector.size
        pending = []
        for rows, cols in _chunks(k_recv, width):               # 1. my receiver columns out
            part = vector[rows]
            bits = np.unpackbits(part.view(np.uint8), bitorder="little")
            _, keys = self._receiver.random(bits)
            tweak = self._tweak(self._received_ots, 1 - self._me)
            self._received_ots += BITS * part.size * (cols.stop - cols.start)
            pending.append((rows, cols, bits, keys, tweak))
        mine = self.send(matrix, total=total)                     # 2. my sender side
        out = np.zeros((k_recv, width), np.uint64)
        for rows, cols, bits, keys, tweak in pending:             # 3. my receiver side finished
            r, c = bits.size // BITS, cols.stop - cols.start
            correction = self.channel.recv_exact(TAG_CORRECTION, np.uint64, (r, BITS, c), timeout=self.timeout)
            with np.errstate(over="ignore"):
                got = self._expand(keys, tweak, c).reshape(r, BITS, c)
                got += correction * bits.reshape(r, BITS, 1).astype(np.uint64)
                out[rows, cols] = got.sum(axis=1, dtype=np.uint64)
        theirs = out.sum(axis=0, dtype=np.uint64) if total else out
        return mine, theirs

    def receive(self, vector: np.ndarray, width: int, *, total: bool = True) -> np.ndarray:
        """Receiver side with v (k,) ring words: my share of v^T M (L,) or of v[l] M[l, :] (k, L)."""
        self._setup()
        vector = np.ascontiguousarray(vector, dtype=np.uint64).reshape(-1)
        k = vector.size
        out = np.zeros((k, width), np.uint64)
        for rows, cols in _chunks(k, width):
            part = vector[rows]
            r, c = part.size, cols.stop - cols.start
            bits = np.unpackbits(part.view(np.uint8), bitorder="little")   # bit j of v[l] at 64 l + j
            _, keys = self._receiver.random(bits)
            tweak = self._tweak(self._received_ots, 1 - self._me)
            self._received_ots += BITS * r * c
            correction = self.channel.recv_exact(TAG_CORRECTION, np.uint64, (r, BITS, c), timeout=self.timeout)
            with np.errstate(over="ignore"):
                mine = self._expand(keys, tweak, c).reshape(r, BITS, c)
                mine += correction * bits.reshape(r, BITS, 1).astype(np.uint64)
                out[rows, cols] = mine.sum(axis=1, dtype=np.uint64)
        return out.sum(axis=0, dtype=np.uint64) if total else out


def check_width(width: int, limit: int, peer: int) -> int:
    """A width announced by the peer, bounded before it sizes any buffer."""
    width = int(width)
    if not 0 <= width <= limit:
        raise ProtocolError(f"announced width {width} is outside 0..{limit}", peer)
    return width
