"""ECDH-PSI kernels (native/ecdh_psi.c) on ristretto255 from libsodium: hash to the group, multiply.

For the roles in mpc.psi.ecdh (spec: protocols/psi-ecdh.md).  Identifiers travel as one packed byte
buffer plus absolute uint64 offsets (`count + 1`), as for RSA-PSI; points are (count, 32) uint8
rows of canonical encodings.  One C call per batch on `threads` POSIX threads, GIL released.  A
peer's point that is not a canonical encoding of a non-identity element becomes `ProtocolError`.
"""
from __future__ import annotations

import os

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import check, ffi, lib
from mpc.native.rsa_psi import _domain, _ids, _in, _out, _rows, default_threads

MPC_ERR_INPUT = -7
POINT_BYTES = 32
SCALAR_BYTES = 32
SCALAR_RANDOM_BYTES = 64
MAX_KEY_BYTES = 32

__all__ = ["POINT_BYTES", "SCALAR_BYTES", "default_threads", "hash_mul", "hash_to_group", "mul", "mul_key",
           "random_scalar", "scalar_from_random"]


def scalar_from_random(random64: bytes) -> bytes:
    """random64 reduced mod the group order l (little-endian 32 bytes); ValueError if it is 0."""
    if len(random64) != SCALAR_RANDOM_BYTES:
        raise ValueError(f"need {SCALAR_RANDOM_BYTES} random bytes")
    out = bytearray(SCALAR_BYTES)
    code = lib.mpc_ecdh_psi_scalar(random64, ffi.from_buffer("uint8_t[]", out, require_writable=True))
    if code == MPC_ERR_INPUT:
        raise ValueError("the random bytes reduce to the scalar 0")
    check(code, "ECDH-PSI scalar")
    return bytes(out)


def random_scalar() -> bytes:
    """A fresh secret scalar from the OS CSPRNG (64 bytes reduced mod l: bias below 2^-260)."""
    while True:
        try:
            return scalar_from_random(os.urandom(SCALAR_RANDOM_BYTES))
        except ValueError:  # probability 2^-252
            continue


def _scalar(scalar: bytes) -> bytes:
    if not isinstance(scalar, (bytes, bytearray)) or len(scalar) != SCALAR_BYTES:
        raise ValueError(f"a scalar is {SCALAR_BYTES} bytes")
    return bytes(scalar)


def hash_to_group(data, offsets, domain: bytes, *, threads: int | None = None) -> np.ndarray:
    """H(x) for each identifier, (count, 32) encodings."""
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    out = np.empty((count, POINT_BYTES), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    check(lib.mpc_ecdh_psi_hash_to_group(ids_ptr, off_ptr, count, dom, dom_len, _out(out),
                                         threads or default_threads()), "ECDH-PSI hash to group")
    return out


def hash_mul(data, offsets, domain: bytes, scalar: bytes, *, threads: int | None = None) -> np.ndarray:
    """scalar · H(x) for each identifier, (count, 32) encodings."""
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    out = np.empty((count, POINT_BYTES), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    check(lib.mpc_ecdh_psi_hash_mul(ids_ptr, off_ptr, count, dom, dom_len, _scalar(scalar), _out(out),
                                    threads or default_threads()), "ECDH-PSI hash and multiply")
    return out


def _peer_error(code: int, what: str, peer) -> None:
    if code == MPC_ERR_INPUT:
        raise ProtocolError("the peer sent a value that is not a valid ristretto255 point "
                            "(non-canonical encoding or the identity)", peer)
    check(code, what)


def mul(points, scalar: bytes, *, threads: int | None = None, peer=None) -> np.ndarray:
    """scalar · P for each (count, 32) encoding."""
    points = _rows(points, POINT_BYTES, "points")
    out = np.empty_like(points)
    code = lib.mpc_ecdh_psi_mul(_in(points), points.shape[0], _scalar(scalar), _out(out),
                                threads or default_threads())
    _peer_error(code, "ECDH-PSI multiply", peer)
    return out


def mul_key(points, scalar: bytes, domain: bytes, key_bytes: int, *, threads: int | None = None,
            peer=None) -> np.ndarray:
    """K(scalar · P) = SHA-256(u32be(|D|) ‖ D ‖ 0x02 ‖ scalar·P)[:key_bytes] for each point."""
    if not 1 <= key_bytes <= MAX_KEY_BYTES:
        raise ValueError(f"key_bytes must be in 1..{MAX_KEY_BYTES}")
    points = _rows(points, POINT_BYTES, "points")
    out = np.empty((points.shape[0], key_bytes), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    code = lib.mpc_ecdh_psi_mul_key(_in(points), points.shape[0], _scalar(scalar), dom, dom_len, _out(out),
                                    key_bytes, threads or default_threads())
    _peer_error(code, "ECDH-PSI multiply and hash", peer)
    return out
