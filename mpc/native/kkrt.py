"""KKRT-PSI kernels (native/kkrt.c, native/cuckoo.c; header native/mpc_kkrt.h).

For the roles in mpc.psi.kkrt (spec: protocols/psi-kkrt.md).  Identifiers come as one packed
buffer plus absolute offsets (as for the other PSI kernels); items are (n, 16) uint8, bins
(n, 3) uint32, OT-extension rows (rows, 64) uint8 in blocks of 128 rows; AES schedules are the
176-byte expansions of mpc.native.ot.expand_keys.  One C call per step, `threads` POSIX threads,
GIL released.  A cuckoo insertion that fails raises `CuckooFailure`.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import MpcError
from mpc.native import check, ffi, lib
from mpc.native.rsa_psi import _domain, _ids, default_threads

ROW_BYTES = int(lib.MPC_KKRT_ROW_BYTES)
ITEM_BYTES = int(lib.MPC_KKRT_ITEM_BYTES)
HASHES = int(lib.MPC_KKRT_HASHES)
CODE_KEYS = int(lib.MPC_KKRT_CODE_KEYS)
SCHEDULE_BYTES = 176
BLOCK_ROWS = 128
EMPTY = np.uint32(0xFFFFFFFF)
MAX_BINS = 0xFFFFFFFE
MPC_ERR_VERIFY = -4

__all__ = ["CuckooFailure", "cuckoo", "default_threads", "hash_ids", "receiver_extend", "sender_eval",
           "sender_extend"]


class CuckooFailure(MpcError):
    """Cuckoo hashing found no place for an item within the eviction bound (probability ≤ 2^-40
    at the protocol's table size; protocols/psi-kkrt.md, "Cuckoo hashing")."""


def _ptr(array, ctype="uint8_t[]", writable=False):
    if array.size == 0:
        return ffi.NULL
    return ffi.from_buffer(ctype, array, require_writable=writable)


def _array(array, dtype, shape, what):
    array = np.ascontiguousarray(array, dtype=dtype)
    if array.shape != tuple(shape):
        raise ValueError(f"{what} must have shape {tuple(shape)}, not {array.shape}")
    return array


def _schedules(schedules, count, what):
    return _array(np.asarray(schedules, dtype=np.uint8).reshape(-1, SCHEDULE_BYTES), np.uint8,
                  (count, SCHEDULE_BYTES), what)


def _bins(bins: int) -> int:
    if not 1 <= bins <= MAX_BINS:
        raise ValueError(f"bins must be in 1..{MAX_BINS}")
    return int(bins)


def hash_ids(data, offsets, domain: bytes, bin_schedule, bins: int, *, threads: int | None = None):
    """(items (n, 16) uint8, bin indices (n, 3) uint32) of each identifier."""
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    bin_schedule = _schedules(bin_schedule, 1, "bin schedule")
    items = np.empty((count, ITEM_BYTES), np.uint8)
    bin_index = np.empty((count, HASHES), np.uint32)
    dom, dom_len = _domain(domain)
    check(lib.mpc_kkrt_hash_ids(ids_ptr, off_ptr, count, dom, dom_len, _ptr(bin_schedule), _bins(bins),
                                _ptr(items, writable=True), _ptr(bin_index, "uint32_t[]", True),
                                threads or default_threads()), "KKRT identifier hashing")
    return items, bin_index


def cuckoo(bin_index, bins: int, max_evictions: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(table (bins,) uint32 item or EMPTY, which (n,) uint8 hash function used)."""
    bin_index = np.ascontiguousarray(bin_index, dtype=np.uint32)
    if bin_index.ndim != 2 or bin_index.shape[1] != HASHES:
        raise ValueError("bin_index must have shape (n, 3)")
    n = bin_index.shape[0]
    if n and int(bin_index.max()) >= bins:
        raise ValueError(f"bin indices must be below {bins}")
    table = np.empty(_bins(bins), np.uint32)
    which = np.empty(n, np.uint8)
    code = lib.mpc_kkrt_cuckoo(_ptr(bin_index, "uint32_t[]"), n, bins, int(max_evictions),
                               int(seed) & ((1 << 64) - 1), _ptr(table, "uint32_t[]", True), _ptr(which, writable=True))
    if code == MPC_ERR_VERIFY:
        raise CuckooFailure(f"cuckoo hashing of {n} items into {bins} bins failed "
                            f"(more than {max_evictions} evictions for one item)")
    check(code, "KKRT cuckoo hashing")
    return table, which


def receiver_extend(schedules0, schedules1, code_schedules, first_block: int, inputs, fn, out_bytes: int, *,
                    threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(u (rows, 64), OPRF outputs (rows, out_bytes)) for rows = 128·blocks bins."""
    inputs = np.ascontiguousarray(inputs, dtype=np.uint8)
    rows = inputs.shape[0]
    if inputs.ndim != 2 or inputs.shape[1] != ITEM_BYTES or rows % BLOCK_ROWS:
        raise ValueError("inputs must be (128·blocks, 16) uint8")
    fn = _array(fn, np.uint8, (rows,), "fn")
    s0 = _schedules(schedules0, 8 * ROW_BYTES, "schedules0")
    s1 = _schedules(schedules1, 8 * ROW_BYTES, "schedules1")
    code = _schedules(code_schedules, CODE_KEYS, "code schedules")
    u = np.empty((rows, ROW_BYTES), np.uint8)
    out = np.empty((rows, out_bytes), np.uint8)
    check(lib.mpc_kkrt_receiver_extend(_ptr(s0), _ptr(s1), _ptr(code), first_block, _ptr(inputs), _ptr(fn),
                                       rows // BLOCK_ROWS, _ptr(u, writable=True), _ptr(out, writable=True),
                                       out_bytes, threads or default_threads()), "KKRT receiver extension")
    return u, out


def sender_extend(schedules, s64: bytes, first_block: int, u, q_out: np.ndarray, *,
                  threads: int | None = None) -> None:
    """q rows of the chunk u (rows, 64) into q_out (rows, 64)."""
    u = np.ascontiguousarray(u, dtype=np.uint8)
    rows = u.shape[0]
    if u.ndim != 2 or u.shape[1] != ROW_BYTES or rows % BLOCK_ROWS:
        raise ValueError("u must be (128·blocks, 64) uint8")
    if q_out.shape != u.shape or q_out.dtype != np.uint8 or not q_out.flags.c_contiguous:
        raise ValueError("q_out must be a C-contiguous uint8 array shaped like u")
    if len(s64) != ROW_BYTES:
        raise ValueError("s must be 64 bytes")
    schedules = _schedules(schedules, 8 * ROW_BYTES, "schedules")
    check(lib.mpc_kkrt_sender_extend(_ptr(schedules), bytes(s64), first_block, _ptr(u), rows // BLOCK_ROWS,
                                     _ptr(q_out, writable=True), threads or default_threads()),
          "KKRT sender extension")


def sender_eval(q, s64: bytes, code_schedules, items, bin_index, out_bytes: int, *,
                threads: int | None = None) -> np.ndarray:
    """(n, 3, out_bytes): the OPRF value of each item under each of its three bins."""
    q = np.ascontiguousarray(q, dtype=np.uint8)
    if q.ndim != 2 or q.shape[1] != ROW_BYTES:
        raise ValueError("q must be (bins, 64) uint8")
    items = np.ascontiguousarray(items, dtype=np.uint8)
    n = items.shape[0]
    items = _array(items, np.uint8, (n, ITEM_BYTES), "items")
    bin_index = _array(bin_index, np.uint32, (n, HASHES), "bin_index")
    code = _schedules(code_schedules, CODE_KEYS, "code schedules")
    if len(s64) != ROW_BYTES:
        raise ValueError("s must be 64 bytes")
    out = np.empty((n, HASHES, out_bytes), np.uint8)
    check(lib.mpc_kkrt_sender_eval(_ptr(q), q.shape[0], bytes(s64), _ptr(code), _ptr(items),
                                   _ptr(bin_index, "uint32_t[]"), n, _ptr(out, writable=True), out_bytes,
                                   threads or default_threads()), "KKRT sender evaluation")
    return out
