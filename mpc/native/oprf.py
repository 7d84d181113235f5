"""RFC 9497 OPRF kernels (native/oprf_p256.c): mode 0x00, suite P256-SHA256.

For keyword PIR (mpc.pir, spec: protocols/pir.md "OPRF (RFC 9497, P-256)").  Inputs travel as one packed byte
buffer plus absolute uint64 offsets (as mpc.psi.ids packs them); elements are (count, 33) SEC1
compressed points, scalars (count, 32) big-endian, outputs (count, 32).  One C call per batch on
`threads` threads without the GIL.  A peer's element that is not in the group is `ProtocolError`.
"""
from __future__ import annotations

import os

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import check, ffi, lib
from mpc.native.rsa_psi import default_threads

ELEMENT_BYTES = 33
SCALAR_BYTES = 32
OUTPUT_BYTES = 32
MAX_INPUT_BYTES = 65535
MPC_ERR_INPUT = -7
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def new_key() -> bytes:
    """A uniform scalar in [1, order) from the OS CSPRNG (48 bytes reduced: bias below 2^-128)."""
    return (int.from_bytes(os.urandom(48), "big") % (ORDER - 1) + 1).to_bytes(SCALAR_BYTES, "big")


def _inputs(data, offsets):
    offsets = np.ascontiguousarray(offsets, dtype=np.uint64)
    if offsets.ndim != 1 or offsets.size < 1:
        raise ValueError("offsets must be a 1-d array of count + 1 entries")
    count = offsets.size - 1
    if count:
        lengths = offsets[1:].astype(np.int64) - offsets[:-1].astype(np.int64)
        if int(offsets[-1]) > len(data) or lengths.min() < 0:
            raise ValueError("offsets must be non-decreasing and inside the input buffer")
        if lengths.max() > MAX_INPUT_BYTES:
            raise ValueError(f"an OPRF input is longer than {MAX_INPUT_BYTES} bytes")
    data_ptr = ffi.from_buffer("uint8_t[]", data) if len(data) else ffi.NULL
    return data_ptr, ffi.from_buffer("uint64_t[]", offsets), count, offsets


def _rows(array, width: int, count: int, name: str) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.shape != (count, width):
        raise ValueError(f"{name} must have shape ({count}, {width}), not {array.shape}")
    return array


def _ptr(array: np.ndarray, writable: bool = False):
    return ffi.from_buffer("uint8_t[]", array, require_writable=writable) if array.size else ffi.NULL


def _key(key: bytes):
    if len(key) != SCALAR_BYTES or not 1 <= int.from_bytes(key, "big") < ORDER:
        raise ValueError("an OPRF key is a 32-byte scalar in [1, order)")
    return ffi.from_buffer("uint8_t[]", key)


def blind(data, offsets, *, blinds=None, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(blinded elements, blinds): r·HashToGroup(x) with fresh r (or the given ones, for tests)."""
    data_ptr, off_ptr, count, _keep = _inputs(data, offsets)
    blinded = np.empty((count, ELEMENT_BYTES), dtype=np.uint8)
    out = np.empty((count, SCALAR_BYTES), dtype=np.uint8)
    given = ffi.NULL if blinds is None else _ptr(_rows(blinds, SCALAR_BYTES, count, "blinds"))
    check(lib.mpc_oprf_p256_blind(data_ptr, off_ptr, count, given, _ptr(out, True), _ptr(blinded, True),
                                  threads or default_threads()), "OPRF blind")
    return blinded, out


def evaluate(key: bytes, blinded, *, threads: int | None = None, peer=None) -> np.ndarray:
    """key·element for each blinded element from the peer; `ProtocolError` for a non-element."""
    blinded = np.ascontiguousarray(blinded, dtype=np.uint8)
    if blinded.ndim != 2 or blinded.shape[1] != ELEMENT_BYTES:
        raise ValueError(f"blinded elements must have shape (count, {ELEMENT_BYTES})")
    out = np.empty_like(blinded)
    code = lib.mpc_oprf_p256_evaluate(_key(key), _ptr(blinded), blinded.shape[0], _ptr(out, True),
                                      threads or default_threads())
    if code == MPC_ERR_INPUT:
        raise ProtocolError("a blinded value is not a P-256 group element", peer)
    check(code, "OPRF evaluate")
    return out


def finalize(data, offsets, blinds, evaluated, *, threads: int | None = None, peer=None) -> np.ndarray:
    """The OPRF outputs (count, 32) from the server's evaluated elements; `ProtocolError` for a non-element."""
    data_ptr, off_ptr, count, _keep = _inputs(data, offsets)
    blinds = _rows(blinds, SCALAR_BYTES, count, "blinds")
    evaluated = _rows(evaluated, ELEMENT_BYTES, count, "evaluated elements")
    out = np.empty((count, OUTPUT_BYTES), dtype=np.uint8)
    code = lib.mpc_oprf_p256_finalize(data_ptr, off_ptr, count, _ptr(blinds), _ptr(evaluated), _ptr(out, True),
                                      threads or default_threads())
    if code == MPC_ERR_INPUT:
        raise ProtocolError("an evaluated value from the server is not a P-256 group element", peer)
    check(code, "OPRF finalize")
    return out


def evaluate_own(key: bytes, data, offsets, *, threads: int | None = None) -> np.ndarray:
    """The server's OPRF outputs of its own inputs (count, 32), equal to what a client would finalize."""
    data_ptr, off_ptr, count, _keep = _inputs(data, offsets)
    out = np.empty((count, OUTPUT_BYTES), dtype=np.uint8)
    check(lib.mpc_oprf_p256_evaluate_own(_key(key), data_ptr, off_ptr, count, _ptr(out, True),
                                         threads or default_threads()), "OPRF evaluate own inputs")
    return out
