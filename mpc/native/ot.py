"""Checked wrappers of the OT kernels in native/ot.c and native/ot_base.c (header native/mpc_ot.h).

For mpc.ot only: base OT point arithmetic over P-256 (protocols/ot-base.md) and the IKNP
extension kernels (protocols/ot-iknp.md).  Every function checks dtypes and sizes, calls one
kernel and returns fresh numpy arrays or bytes; kernel failures become `NativeError`.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import NativeError
from mpc.native import buffer, check, ffi, lib

KAPPA = 128
POINT_BYTES = int(lib.MPC_OT_POINT_BYTES)
SCALAR_RANDOM_BYTES = int(lib.MPC_OT_SCALAR_RANDOM_BYTES)
SCALAR_BYTES = int(lib.MPC_OT_SCALAR_BYTES)
SCHEDULE_BYTES = int(lib.MPC_OT_SCHEDULE_BYTES)
BASE_MESSAGE_BYTES = 2 * POINT_BYTES
ROW_BYTES = KAPPA // 8
BLOCK_OTS = KAPPA  # the extension kernels work in blocks of 128 OTs


def _bytes(data, size: int, what: str) -> bytes:
    data = bytes(data)
    if len(data) != size:
        raise ValueError(f"{what} must be {size} bytes, got {len(data)}")
    return data


def _u8(array, shape, what: str) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.shape != tuple(shape):
        array = array.reshape(-1)
        if array.size != int(np.prod(shape)):
            raise ValueError(f"{what} must have shape {tuple(shape)}")
        array = array.reshape(shape)
    return array


def cpu_supported() -> bool:
    return bool(lib.mpc_ot_cpu_supported())


# -- base OT ---------------------------------------------------------------------------------------

def base_sender_setup(random96: bytes) -> tuple[bytes, bytes]:
    """(secret r, message C || R) from 96 random bytes."""
    random96 = _bytes(random96, 2 * SCALAR_RANDOM_BYTES, "random")
    secret = ffi.new("uint8_t[]", SCALAR_BYTES)
    message = ffi.new("uint8_t[]", BASE_MESSAGE_BYTES)
    check(lib.mpc_ot_base_sender_setup(random96, secret, message), "base OT sender set-up")
    return bytes(ffi.buffer(secret)), bytes(ffi.buffer(message))


def base_receiver_choose(message, choices: np.ndarray, random: bytes) -> tuple[np.ndarray, bytes]:
    """(reply points PK0 (count, 33), secret scalars k); NativeError code -7 on bad points."""
    message = _bytes(message, BASE_MESSAGE_BYTES, "base OT message")
    choices = np.ascontiguousarray(choices, dtype=np.uint8).reshape(-1)
    count = choices.size
    random = _bytes(random, count * SCALAR_RANDOM_BYTES, "random")
    reply = np.empty((count, POINT_BYTES), np.uint8)
    secrets = ffi.new("uint8_t[]", max(1, count * SCALAR_BYTES))
    check(lib.mpc_ot_base_receiver_choose(message, buffer(choices), count, random,
                                          buffer(reply, True), secrets), "base OT receiver")
    return reply, bytes(ffi.buffer(secrets, count * SCALAR_BYTES))


def base_receiver_keys(message, secrets: bytes) -> np.ndarray:
    """Shared points k_i R (count, 33) for the secrets of base_receiver_choose."""
    message = _bytes(message, BASE_MESSAGE_BYTES, "base OT message")
    if len(secrets) % SCALAR_BYTES:
        raise ValueError("secrets must be whole 32-byte scalars")
    count = len(secrets) // SCALAR_BYTES
    shared = np.empty((count, POINT_BYTES), np.uint8)
    check(lib.mpc_ot_base_receiver_keys(message, secrets, count, buffer(shared, True)), "base OT receiver keys")
    return shared


def base_sender_keys(secret, message, reply) -> tuple[np.ndarray, np.ndarray]:
    """(r PK0_i, r PK1_i) for every reply point, each (count, 33)."""
    secret = _bytes(secret, SCALAR_BYTES, "secret")
    message = _bytes(message, BASE_MESSAGE_BYTES, "base OT message")
    reply = np.ascontiguousarray(reply, dtype=np.uint8)
    if reply.ndim != 2 or reply.shape[1] != POINT_BYTES:
        raise ValueError(f"reply must have shape (count, {POINT_BYTES})")
    count = reply.shape[0]
    shared0 = np.empty((count, POINT_BYTES), np.uint8)
    shared1 = np.empty((count, POINT_BYTES), np.uint8)
    check(lib.mpc_ot_base_sender_keys(secret, message, buffer(reply), count,
                                      buffer(shared0, True), buffer(shared1, True)), "base OT sender")
    return shared0, shared1


# -- IKNP extension --------------------------------------------------------------------------------

def expand_keys(keys) -> np.ndarray:
    """AES-128 schedules (count * 176 bytes, opaque) of keys (count, 16)."""
    keys = np.ascontiguousarray(keys, dtype=np.uint8)
    if keys.ndim != 2 or keys.shape[1] != 16:
        raise ValueError("keys must have shape (count, 16)")
    schedules = np.empty(keys.shape[0] * SCHEDULE_BYTES, np.uint8)
    check(lib.mpc_ot_expand_keys(buffer(keys), keys.shape[0], buffer(schedules, True)), "AES key expansion")
    return schedules


def _schedules(schedules, count: int) -> np.ndarray:
    schedules = np.ascontiguousarray(schedules, dtype=np.uint8).reshape(-1)
    if schedules.size != count * SCHEDULE_BYTES:
        raise ValueError(f"expected {count} key schedules")
    return schedules


def receiver_extend(schedules0, schedules1, first_block: int, choices_packed, blocks: int,
                    t_out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(u (blocks * 2048 bytes), t (blocks * 128, 16)) for one chunk."""
    schedules0 = _schedules(schedules0, KAPPA)
    schedules1 = _schedules(schedules1, KAPPA)
    choices_packed = _u8(choices_packed, (blocks * ROW_BYTES,), "packed choices")
    u = np.empty(blocks * KAPPA * ROW_BYTES, np.uint8)
    t = np.empty((blocks * BLOCK_OTS, ROW_BYTES), np.uint8) if t_out is None else t_out
    if t.shape != (blocks * BLOCK_OTS, ROW_BYTES) or t.dtype != np.uint8 or not t.flags.c_contiguous:
        raise ValueError("t_out has the wrong shape, dtype or layout")
    check(lib.mpc_ot_iknp_receiver_extend(buffer(schedules0), buffer(schedules1), first_block,
                                          buffer(choices_packed), blocks, buffer(u, True), buffer(t, True)),
          "IKNP receiver extension")
    return u, t


def sender_extend(schedules, delta, first_block: int, u, blocks: int,
                  q_out: np.ndarray | None = None) -> np.ndarray:
    """q rows (blocks * 128, 16) for one chunk from the receiver's u."""
    schedules = _schedules(schedules, KAPPA)
    delta = _bytes(delta, ROW_BYTES, "delta")
    u = _u8(u, (blocks * KAPPA * ROW_BYTES,), "u")
    q = np.empty((blocks * BLOCK_OTS, ROW_BYTES), np.uint8) if q_out is None else q_out
    if q.shape != (blocks * BLOCK_OTS, ROW_BYTES) or q.dtype != np.uint8 or not q.flags.c_contiguous:
        raise ValueError("q_out has the wrong shape, dtype or layout")
    check(lib.mpc_ot_iknp_sender_extend(buffer(schedules), delta, first_block, buffer(u), blocks,
                                        buffer(q, True)), "IKNP sender extension")
    return q


def _rows_out(out, rows: int, what: str) -> np.ndarray:
    if out is None:
        return np.empty((rows, ROW_BYTES), np.uint8)
    if out.shape != (rows, ROW_BYTES) or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise ValueError(f"{what} has the wrong shape, dtype or layout")
    return out


def sender_random(schedules, delta, first_block: int, u, blocks: int, hash_schedule,
                  m0_out: np.ndarray | None = None, m1_out: np.ndarray | None = None):
    """(m0, m1) rows (blocks * 128, 16): H(i, q_i), H(i, q_i ^ delta), i = first_block * 128 + row."""
    schedules = _schedules(schedules, KAPPA)
    hash_schedule = _schedules(hash_schedule, 1)
    delta = _bytes(delta, ROW_BYTES, "delta")
    u = _u8(u, (blocks * KAPPA * ROW_BYTES,), "u")
    m0 = _rows_out(m0_out, blocks * BLOCK_OTS, "m0_out")
    m1 = _rows_out(m1_out, blocks * BLOCK_OTS, "m1_out")
    check(lib.mpc_ot_iknp_sender_random(buffer(schedules), delta, first_block, buffer(u), blocks,
                                        buffer(hash_schedule), buffer(m0, True), buffer(m1, True)),
          "IKNP sender random OT")
    return m0, m1


def receiver_random(schedules0, schedules1, first_block: int, choices_packed, blocks: int, hash_schedule,
                    m_out: np.ndarray | None = None):
    """(u (blocks * 2048 bytes), m rows (blocks * 128, 16) = H(i, t_i)) for one chunk."""
    schedules0 = _schedules(schedules0, KAPPA)
    schedules1 = _schedules(schedules1, KAPPA)
    hash_schedule = _schedules(hash_schedule, 1)
    choices_packed = _u8(choices_packed, (blocks * ROW_BYTES,), "packed choices")
    u = np.empty(blocks * KAPPA * ROW_BYTES, np.uint8)
    m = _rows_out(m_out, blocks * BLOCK_OTS, "m_out")
    check(lib.mpc_ot_iknp_receiver_random(buffer(schedules0), buffer(schedules1), first_block,
                                          buffer(choices_packed), blocks, buffer(hash_schedule),
                                          buffer(u, True), buffer(m, True)), "IKNP receiver random OT")
    return u, m


def hash_rows(hash_schedule, first_tweak: int, rows, *, offset=None, out_len: int = 16, mask=None,
              out: np.ndarray | None = None) -> np.ndarray:
    """Tweakable CR hash of each 16-byte row (XOR offset first), expanded to out_len bytes, XOR mask."""
    hash_schedule = _schedules(hash_schedule, 1)
    rows = np.ascontiguousarray(rows, dtype=np.uint8)
    if rows.ndim != 2 or rows.shape[1] != ROW_BYTES:
        raise ValueError("rows must have shape (n, 16)")
    n = rows.shape[0]
    if out_len < 1:
        raise ValueError("out_len must be positive")
    offset_ptr = ffi.NULL if offset is None else _bytes(offset, ROW_BYTES, "offset")
    mask_ptr = ffi.NULL
    if mask is not None:
        mask = _u8(mask, (n, out_len), "mask")
        mask_ptr = buffer(mask)
    result = np.empty((n, out_len), np.uint8) if out is None else out
    if result.shape != (n, out_len) or result.dtype != np.uint8 or not result.flags.c_contiguous:
        raise ValueError("out has the wrong shape, dtype or layout")
    check(lib.mpc_ot_hash_rows(buffer(hash_schedule), first_tweak, buffer(rows), n, offset_ptr, out_len,
                               mask_ptr, buffer(result, True)), "OT row hash")
    return result


def transpose(matrix) -> np.ndarray:
    """Bit-matrix transpose of (rows, cols/8) uint8 into (cols, rows/8); rows % 16 == 0, cols % 128 == 0."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    if matrix.ndim != 2:
        raise ValueError("matrix must be 2-D")
    rows, cols = matrix.shape[0], matrix.shape[1] * 8
    if rows % 16 or cols % 128:
        raise ValueError("rows must be a multiple of 16 and bit columns a multiple of 128")
    out = np.empty((cols, rows // 8), np.uint8)
    check(lib.mpc_ot_transpose(buffer(matrix), rows, cols, buffer(out, True)), "bit transpose")
    return out


__all__ = ["NativeError", "base_receiver_choose", "base_receiver_keys", "base_sender_keys", "base_sender_setup", "cpu_supported",
           "expand_keys", "hash_rows", "receiver_extend", "receiver_random", "sender_extend",
           "sender_random", "transpose"]


def gilboa128_sender(schedules, delta, first_block: int, u, blocks: int, hash_schedule, values):
    """(share (blocks,) U128, packed corrections) of the Gilboa sender on this chunk's random OTs:
    block k is product k with value values[k] (see native/mpc_ot.h)."""
    from mpc.native import ring as native_ring
    schedules = _schedules(schedules, KAPPA)
    hash_schedule = _schedules(hash_schedule, 1)
    delta = _bytes(delta, ROW_BYTES, "delta")
    u = _u8(u, (blocks * KAPPA * ROW_BYTES,), "u")
    values = np.ascontiguousarray(values, dtype=native_ring.U128).reshape(-1)
    if values.size != blocks:
        raise ValueError(f"expected {blocks} values (one per 128-OT block), got {values.size}")
    share = native_ring.empty(blocks)
    corrections = np.empty(blocks * native_ring.GILBOA_BYTES, np.uint8)
    check(lib.mpc_ot_iknp_gilboa128_sender(buffer(schedules), delta, first_block, buffer(u), blocks,
                                           buffer(hash_schedule), ffi.cast("const uint64_t *", buffer(values)),
                                           ffi.cast("uint64_t *", buffer(share, True)), buffer(corrections, True)),
          "IKNP Gilboa sender")
    return share, corrections


def vector_level(cap: int | None = None) -> int:
    """The vector units the IKNP kernels use (0 SSE4.1, 1 AVX2, 2 VAES); `cap` caps them for the
    process (tests compare the paths; the outputs are the same)."""
    level = lib.mpc_ot_vector_level(-1 if cap is None else int(cap))
    if level < 0:
        raise ValueError("the vector level cap must be at most 2")
    return int(level)
