"""IKNP OT extension (Ishai–Kilian–Nissim–Petrank 2003), semi-honest, in bulk.

For garbled-circuit inputs, Beaver/Gilboa triples and anyone needing millions of OTs between two
parties.  Spec: protocols/ot-iknp.md.  One base-OT set-up (128 OTs over P-256, roles reversed:
the IKNP sender is the base-OT receiver with choice bits Δ), then any number of batches:

    random(n)              sender gets m0, m1 (n, 16);    receiver gets b, m_b
    correlated(n)          sender gets x0 (n, 16), x1 = x0 ^ Δ;  receiver gets x_b
    chosen(m0, m1)         sender's (n, L) byte strings;   receiver gets m_b (n, L)
    correlated_z64(Δ_i)    sender gets x (n,) uint64;      receiver gets x + b Δ_i mod 2^64
    gilboa_z128(values)    128 OTs per value: additive shares in Z_2^128 of u v (u the
                           receiver's values, its bits the choices; v the sender's), with the
                           correction of OT t cut to 16 - t/8 bytes (Gilboa's trick)

Every batch is one flight of "iknp:u" messages (16 bytes per OT, in chunks of CHUNK_OTS OTs so
both processes work while the other sends) and, for chosen and Z_2^64 OTs, one flight back.
Both roles must run the same sequence of batches with the same n.
"""
from __future__ import annotations

import hashlib

import numpy as np

from mpc.errors import NativeError
from mpc.native import ot as native_ot
from mpc.native import ring as native_ring
from mpc.ot.base import BaseOtReceiver, BaseOtSender, random_bytes

KAPPA = 128
ROW_BYTES = 16
CHUNK_OTS = 1 << 16
CHUNK_BLOCKS = CHUNK_OTS // KAPPA
TAG_U = "iknp:u"
TAG_CHOSEN = "iknp:chosen"
TAG_Z64 = "iknp:z64"
TAG_Z128 = "iknp:z128"
MAX_BATCH = 1 << 34
MAX_MESSAGE_LENGTH = 1 << 20
_HASH_DOMAIN = b"mpc/iknp/hash-key/v1"


def hash_key_from_transcript(base_message: bytes) -> bytes:
    """The session's hash key: SHA-256 over the base-OT set-up message C || R, which the IKNP
    receiver drew fresh for this session and both parties hold after the set-up."""
    return hashlib.sha256(_HASH_DOMAIN + bytes(base_message)).digest()[:16]


def _batch_size(n) -> int:
    n = int(n)
    if not 0 <= n <= MAX_BATCH:
        raise ValueError(f"batch size must be in 0..{MAX_BATCH}")
    return n


def _chunks(n: int):
    """(first OT, OTs in this chunk, 128-OT blocks in this chunk) over a batch of n OTs."""
    blocks_total = -(-n // KAPPA)
    for first_block in range(0, blocks_total, CHUNK_BLOCKS):
        blocks = min(CHUNK_BLOCKS, blocks_total - first_block)
        first = first_block * KAPPA
        yield first, min(blocks * KAPPA, n - first), blocks


def _padded(n: int) -> int:
    return KAPPA * -(-n // KAPPA)


class _IknpRole:
    def __init__(self, channel, prg=None, *, hash_key: bytes | None = None, timeout: float | None = None):
        if not native_ot.cpu_supported():
            raise NativeError("IKNP kernels need AES-NI and SSE4.1, which this CPU lacks", -6)
        self.channel = channel
        self.prg = prg
        self.timeout = timeout
        self._given_hash_key = hash_key
        self._hash_schedule = None
        self._next_block = 0  # PRG counter of the columns = OT index / 128, over all batches
        self.ots_done = 0

    @property
    def ready(self) -> bool:
        return self._hash_schedule is not None

    def _set_hash_key(self, base_message: bytes) -> None:
        key = self._given_hash_key or hash_key_from_transcript(base_message)
        self._hash_schedule = native_ot.expand_keys(np.frombuffer(key, np.uint8).reshape(1, 16))

    def _start_batch(self, n: int) -> tuple[int, int]:
        """Reserve the PRG blocks and hash tweaks of a batch: (first block, first tweak)."""
        if not self.ready:
            self.setup()
        first_block = self._next_block
        self._next_block += -(-n // KAPPA)
        self.ots_done += n
        return first_block, first_block * KAPPA

    def _hash(self, rows, tweak: int, **options) -> np.ndarray:
        return native_ot.hash_rows(self._hash_schedule, tweak, rows, **options)

    def setup(self) -> None:
        raise NotImplementedError


class IknpSender(_IknpRole):
    """The IKNP sender (garbler side): holds Δ, learns both messages of every OT."""

    def __init__(self, channel, prg=None, *, delta=None, hash_key: bytes | None = None,
                 timeout: float | None = None):
        super().__init__(channel, prg, hash_key=hash_key, timeout=timeout)
        if delta is None:
            raw = bytearray(random_bytes(prg, ROW_BYTES))
            raw[0] |= 1  # LSB(Δ) = 1, the point-and-permute bit garbling needs
            delta = bytes(raw)
        if not isinstance(delta, bytes):
            delta = np.ascontiguousarray(delta, dtype=np.uint8).reshape(-1).tobytes()
        if len(delta) != ROW_BYTES:
            raise ValueError("delta must be 16 bytes")
        self.delta = delta
        self._schedules = None

    @property
    def delta_array(self) -> np.ndarray:
        return np.frombuffer(self.delta, np.uint8).copy()

    def setup(self) -> None:
        """Run the 128 base OTs as the base-OT receiver with choice bits Δ (once per session)."""
        choices = np.unpackbits(np.frombuffer(self.delta, np.uint8), bitorder="little")
        base = BaseOtReceiver(self.channel, self.prg)
        keys = base.receive(choices)
        self._schedules = native_ot.expand_keys(keys)
        self._set_hash_key(base.transcript)

    def _chunks_of_u(self, n: int):
        """Yield (first OT, real OTs, blocks, u) as the receiver's u chunks arrive."""
        for first, count, blocks in _chunks(n):
            u = self.channel.recv_exact(TAG_U, np.uint8, (blocks * KAPPA * ROW_BYTES,), timeout=self.timeout)
            yield first, count, blocks, u

    def _random_rows(self, n: int, first_block: int, m0: np.ndarray | None = None, m1: np.ndarray | None = None):
        """Yield (first OT, real OTs, rows0, rows1) per chunk, rows = H(i, q_i), H(i, q_i ^ Δ) of the
        chunk's padded rows: slices of m0 and m1 when given, else chunk-sized scratch rows that
        the next chunk overwrites."""
        scratch0 = scratch1 = None
        if m0 is None:
            scratch0 = np.empty((CHUNK_OTS, ROW_BYTES), np.uint8)
            scratch1 = np.empty((CHUNK_OTS, ROW_BYTES), np.uint8)
        for first, count, blocks, u in self._chunks_of_u(n):
            rows = blocks * KAPPA
            out0 = scratch0[:rows] if m0 is None else m0[first:first + rows]
            out1 = scratch1[:rows] if m1 is None else m1[first:first + rows]
            native_ot.sender_random(self._schedules, self.delta, first_block + first // KAPPA, u, blocks,
                                    self._hash_schedule, out0, out1)
            yield first, count, out0, out1

    def correlated(self, n: int) -> np.ndarray:
        """labels0 (n, 16) uint8; the receiver gets labels0 ^ b Δ."""
        n = _batch_size(n)
        first_block, _ = self._start_batch(n)
        out = np.empty((_padded(n), ROW_BYTES), np.uint8)
        for first, _count, blocks, u in self._chunks_of_u(n):
            native_ot.sender_extend(self._schedules, self.delta, first_block + first // KAPPA, u, blocks,
                                    q_out=out[first:first + blocks * KAPPA])
        return out[:n]

    def random(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(m0, m1), each (n, 16) uint8, independent random messages."""
        n = _batch_size(n)
        first_block, _ = self._start_batch(n)
        m0 = np.empty((_padded(n), ROW_BYTES), np.uint8)
        m1 = np.empty((_padded(n), ROW_BYTES), np.uint8)
        for _ in self._random_rows(n, first_block, m0, m1):
            pass  # the kernel filled m0 and m1 in place
        return m0[:n], m1[:n]

    def chosen(self, m0, m1) -> None:
        """Send one of m0[i], m1[i] (uint8 arrays (n, L), any L >= 1) per OT; the receiver picks."""
        m0 = np.ascontiguousarray(m0, dtype=np.uint8)
        m1 = np.ascontiguousarray(m1, dtype=np.uint8)
        if m0.ndim == 1:
            m0, m1 = m0.reshape(-1, 1), m1.reshape(-1, 1)
        if m0.shape != m1.shape or m0.ndim != 2 or not 1 <= m0.shape[1] <= MAX_MESSAGE_LENGTH:
            raise ValueError(f"m0 and m1 must both have shape (n, L) with 1 <= L <= {MAX_MESSAGE_LENGTH}")
        n = _batch_size(m0.shape[0])
        length = m0.shape[1]
        first_block, tweak = self._start_batch(n)
        if length <= ROW_BYTES:  # the pads are the random-OT hashes truncated (block 0 of H_L)
            for first, count, pad0, pad1 in self._random_rows(n, first_block):
                masked = np.empty((2, count, length), np.uint8)
                rows = slice(first, first + count)
                np.bitwise_xor(pad0[:count, :length], m0[rows], out=masked[0])
                np.bitwise_xor(pad1[:count, :length], m1[rows], out=masked[1])
                self.channel.send(TAG_CHOSEN, masked)
            return
        q = np.empty((CHUNK_OTS, ROW_BYTES), np.uint8)
        for first, count, blocks, u in self._chunks_of_u(n):
            native_ot.sender_extend(self._schedules, self.delta, first_block + first // KAPPA, u, blocks,
                                    q_out=q[:blocks * KAPPA])
            masked = np.empty((2, count, length), np.uint8)
            rows = slice(first, first + count)
            self._hash(q[:count], tweak + first, out_len=length, mask=m0[rows], out=masked[0])
            self._hash(q[:count], tweak + first, offset=self.delta, out_len=length, mask=m1[rows],
                       out=masked[1])
            self.channel.send(TAG_CHOSEN, masked)

    def correlated_z64(self, deltas) -> np.ndarray:
        """x (n,) uint64 for per-OT offsets Δ_i (n,) uint64; the receiver gets x + b_i Δ_i mod 2^64."""
        deltas = np.ascontiguousarray(deltas, dtype=np.uint64).reshape(-1)
        n = _batch_size(deltas.size)
        first_block, _ = self._start_batch(n)
        x = np.empty(n, np.uint64)
        for first, count, pad0, pad1 in self._random_rows(n, first_block):
            mine = pad0[:count].view(np.uint64)[:, 0]  # low64: bytes 0..7 little-endian
            other = pad1[:count].view(np.uint64)[:, 0]
            x[first:first + count] = mine
            correction = mine + deltas[first:first + count] - other  # wraps mod 2^64
            self.channel.send(TAG_Z64, correction)
        return x


    def gilboa_z128(self, values) -> np.ndarray:
        """This sender's Z_2^128 shares of u_p v_p for its values v (U128 (count,)), over 128 OTs each."""
        values = np.ascontiguousarray(values, dtype=native_ring.U128).reshape(-1)
        count = values.size
        n = _batch_size(KAPPA * count)
        first_block, _ = self._start_batch(n)
        share = np.empty(count, native_ring.U128)
        for first, _ots, blocks, u in self._chunks_of_u(n):
            p0 = first // KAPPA    # chunks hold whole products (n = 128 count): block k is product p0 + k
            share[p0:p0 + blocks], corrections = native_ot.gilboa128_sender(
                self._schedules, self.delta, first_block + p0, u, blocks, self._hash_schedule,
                values[p0:p0 + blocks])
            self.channel.send(TAG_Z128, corrections)
        return share


class IknpReceiver(_IknpRole):
    """The IKNP receiver (evaluator side): learns one message per OT, by its choice bit."""

    def setup(self) -> None:
        """Run the 128 base OTs as the base-OT sender (once per session)."""
        base = BaseOtSender(self.channel, self.prg)
        keys0, keys1 = base.send(KAPPA)
        self._schedules0 = native_ot.expand_keys(keys0)
        self._schedules1 = native_ot.expand_keys(keys1)
        self._set_hash_key(base.transcript)

    def _choices(self, choices) -> tuple[np.ndarray, int]:
        choices = np.ascontiguousarray(choices, dtype=np.uint8).reshape(-1)
        if choices.size and choices.max() > 1:
            raise ValueError("choice bits must be 0 or 1")
        return choices, _batch_size(choices.size)

    def _send_u(self, choices: np.ndarray, n: int, first_block: int, *, hashed: bool) -> np.ndarray:
        """Send every u chunk; return rows (n padded to 128, 16): t_i = q_i ^ b_i Δ, or with
        `hashed` the random-OT outputs H(i, t_i), computed block by block while in cache."""
        bits = np.zeros(_padded(n), np.uint8)
        bits[:n] = choices
        return self._send_u_packed(np.packbits(bits, bitorder="little"), n, first_block, hashed=hashed)

    def _send_u_packed(self, packed: np.ndarray, n: int, first_block: int, *, hashed: bool) -> np.ndarray:
        """`_send_u` for choices packed little-endian, 8 per byte, padded to whole blocks."""
        out = np.empty((_padded(n), ROW_BYTES), np.uint8)
        for first, _count, blocks in _chunks(n):
            stop = first + blocks * KAPPA
            block = first_block + first // KAPPA
            if hashed:
                u, _ = native_ot.receiver_random(self._schedules0, self._schedules1, block, packed[first // 8:stop // 8],
                                                 blocks, self._hash_schedule, m_out=out[first:stop])
            else:
                u, _ = native_ot.receiver_extend(self._schedules0, self._schedules1, block, packed[first // 8:stop // 8],
                                                 blocks, t_out=out[first:stop])
            self.channel.send(TAG_U, u)
        return out

    def correlated(self, choices) -> np.ndarray:
        """labels (n, 16) uint8: the sender's labels0[i] ^ choices[i] Δ."""
        choices, n = self._choices(choices)
        first_block, _ = self._start_batch(n)
        return self._send_u(choices, n, first_block, hashed=False)[:n]

    def random(self, choices) -> tuple[np.ndarray, np.ndarray]:
        """(b, m_b): choices given as a 0/1 array, or an int n for uniformly random choices."""
        if isinstance(choices, (int, np.integer)):
            n = _batch_size(choices)
            raw = np.frombuffer(random_bytes(self.prg, -(-n // 8)), np.uint8)
            choices = np.unpackbits(raw, bitorder="little")[:n].copy()
        choices, n = self._choices(choices)
        first_block, _ = self._start_batch(n)
        return choices, self._send_u(choices, n, first_block, hashed=True)[:n]

    def chosen(self, choices, length: int) -> np.ndarray:
        """m_{b_i}[i] (n, length) uint8 of the sender's chosen messages."""
        choices, n = self._choices(choices)
        length = int(length)
        if not 1 <= length <= MAX_MESSAGE_LENGTH:
            raise ValueError(f"length must be in 1..{MAX_MESSAGE_LENGTH}")
        first_block, tweak = self._start_batch(n)
        short = length <= ROW_BYTES
        rows = self._send_u(choices, n, first_block, hashed=short)
        out = np.empty((n, length), np.uint8)
        for first, count, _blocks in _chunks(n):
            masked = self.channel.recv_exact(TAG_CHOSEN, np.uint8, (2, count, length), timeout=self.timeout)
            part = slice(first, first + count)
            picked = np.where(choices[part, None].astype(bool), masked[1], masked[0])
            if short:
                np.bitwise_xor(rows[part, :length], picked, out=out[part])
            else:
                self._hash(rows[part], tweak + first, out_len=length, mask=picked, out=out[part])
        return out

    def correlated_z64(self, choices) -> np.ndarray:
        """x_i + b_i Δ_i mod 2^64 (n,) uint64 for the sender's x and Δ."""
        return self.correlated_z64_finish(self.correlated_z64_start(choices))

    def correlated_z64_start(self, choices):
        """The first half of `correlated_z64`: sends u and returns what `correlated_z64_finish` needs.
        Other batches may start in between; finishes come in the order of the starts."""
        choices, n = self._choices(choices)
        first_block, _ = self._start_batch(n)
        return choices, self._send_u(choices, n, first_block, hashed=True)

    def correlated_z64_finish(self, pending) -> np.ndarray:
        choices, hashes = pending
        n = choices.size
        out = np.empty(n, np.uint64)
        for first, count, _blocks in _chunks(n):
            correction = self.channel.recv_exact(TAG_Z64, np.uint64, (count,), timeout=self.timeout)
            part = slice(first, first + count)
            mine = hashes[part].view(np.uint64)[:, 0]
            out[part] = mine + correction * choices[part].astype(np.uint64)
        return out

    def gilboa_z128(self, values) -> np.ndarray:
        """This receiver's Z_2^128 shares of u_p v_p for its values u (U128 (count,)): the 128 bits
        of u_p, least significant first, are the choices of OTs 128 p .. 128 p + 127."""
        return self.gilboa_z128_finish(self.gilboa_z128_start(values))

    def gilboa_z128_start(self, values):
        """The first half of `gilboa_z128`: sends u (the choices are the bits of the values as
        stored, little-endian) and returns what `gilboa_z128_finish` needs; finishes come in
        the order of the starts."""
        values = np.ascontiguousarray(values, dtype=native_ring.U128).reshape(-1)
        n = _batch_size(KAPPA * values.size)
        first_block, _ = self._start_batch(n)
        return values, self._send_u_packed(values.view(np.uint8).reshape(-1), n, first_block, hashed=True)

    def gilboa_z128_finish(self, pending) -> np.ndarray:
        values, hashes = pending
        count, n = values.size, KAPPA * values.size
        share = np.empty(count, native_ring.U128)
        for first, ots, _blocks in _chunks(n):
            p0, products = first // KAPPA, ots // KAPPA
            corrections = self.channel.recv_exact(TAG_Z128, np.uint8, (products * native_ring.GILBOA_BYTES,),
                                                  timeout=self.timeout)
            share[p0:p0 + products] = native_ring.gilboa_receiver(hashes[first:first + ots],
                                                                  values[p0:p0 + products], corrections)
        return share
