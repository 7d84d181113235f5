"""RSA blind-signature PSI kernels (native/rsa_psi.c): full-domain hash, blind, CRT sign, unblind.

For the PSI roles in mpc.psi (spec: protocols/psi-rsa.md).  Identifiers travel as one packed byte
buffer plus absolute uint64 offsets (`count + 1` of them), so a batch is a slice of the offsets over
the same buffer.  Big numbers are big-endian rows of `modulus_bytes` in uint8 arrays of shape
(count, k).  Each call is one C call per batch, run on `threads` POSIX threads without the GIL.
A peer value outside Z_n* becomes `ProtocolError`; a failed self-check becomes `NativeError`.
"""
from __future__ import annotations

import os

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import check, ffi, lib

MPC_ERR_INPUT = -7
HASH_BYTES = 16


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _ids(data, offsets) -> tuple:
    offsets = np.ascontiguousarray(offsets, dtype=np.uint64)
    if offsets.ndim != 1 or offsets.size < 1:
        raise ValueError("offsets must be a 1-d array of count + 1 entries")
    count = offsets.size - 1
    if count and (int(offsets[-1]) > len(data) or np.any(offsets[1:] < offsets[:-1])):
        raise ValueError("offsets must be non-decreasing and inside the identifier buffer")
    data_ptr = ffi.from_buffer("uint8_t[]", data) if len(data) else ffi.NULL
    return data_ptr, ffi.from_buffer("uint64_t[]", offsets), count, offsets


def _rows(array, k: int, name: str, count: int | None = None) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim != 2 or array.shape[1] != k or (count is not None and array.shape[0] != count):
        want = f"({count if count is not None else 'count'}, {k})"
        raise ValueError(f"{name} must be a uint8 array of shape {want}, not {array.shape}")
    return array


def _in(array):
    return ffi.from_buffer("uint8_t[]", array) if array.size else ffi.NULL


def _out(array):
    return ffi.from_buffer("uint8_t[]", array, require_writable=True) if array.size else ffi.NULL


def _domain(domain: bytes):
    return (ffi.from_buffer("uint8_t[]", domain) if domain else ffi.NULL), len(domain)


def _check_key(modulus: bytes, k: int) -> None:
    if len(modulus) != k:
        raise ValueError(f"modulus must be {k} bytes")


def hash_to_group(data, offsets, domain: bytes, modulus: bytes, *, threads: int | None = None) -> np.ndarray:
    """H(x) in Z_n for each identifier, as (count, k) big-endian rows."""
    k = len(modulus)
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    out = np.empty((count, k), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    check(lib.mpc_rsa_psi_hash_to_group(ids_ptr, off_ptr, count, dom, dom_len, modulus, k, _out(out),
                                        threads or default_threads()), "RSA-PSI full-domain hash")
    return out


def blind(data, offsets, domain: bytes, modulus: bytes, e: int, *,
          threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(blinded, factors): H(x)·r^e mod n and the secret r for each identifier."""
    k = len(modulus)
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    blinded = np.empty((count, k), dtype=np.uint8)
    factors = np.empty((count, k), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    check(lib.mpc_rsa_psi_blind(ids_ptr, off_ptr, count, dom, dom_len, modulus, k, e, _out(blinded),
                                _out(factors), threads or default_threads()), "RSA-PSI blind")
    return blinded, factors


def sign(private_key: bytes, e: int, messages, *, threads: int | None = None, peer=None) -> np.ndarray:
    """messages^d mod n by CRT; `ProtocolError` when a message (peer data) is not in Z_n*."""
    k = _modulus_bytes(private_key)
    messages = _rows(messages, k, "messages")
    out = np.empty_like(messages)
    code = lib.mpc_rsa_psi_sign(private_key, k, e, _in(messages), messages.shape[0], _out(out),
                                threads or default_threads())
    if code == MPC_ERR_INPUT:
        raise ProtocolError("a blinded value is not in Z_n* (outside [1, n) or not coprime to n)", peer)
    check(code, "RSA-PSI sign")
    return out


def unblind(modulus: bytes, e: int, blinded, signatures, factors, domain: bytes, *,
            hash_bytes: int = HASH_BYTES, threads: int | None = None, peer=None) -> np.ndarray:
    """Final hashes of H(x)^d from the server's signatures of the blinded values, (count, hash_bytes)."""
    k = len(modulus)
    blinded = _rows(blinded, k, "blinded")
    count = blinded.shape[0]
    signatures = _rows(signatures, k, "signatures", count)
    factors = _rows(factors, k, "factors", count)
    out = np.empty((count, hash_bytes), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    code = lib.mpc_rsa_psi_unblind(modulus, k, e, _in(blinded), _in(signatures), _in(factors), count,
                                   dom, dom_len, _out(out), hash_bytes, threads or default_threads())
    if code == MPC_ERR_INPUT:
        raise ProtocolError("a signature from the server is outside Z_n or does not verify", peer)
    check(code, "RSA-PSI unblind")
    return out


def hash_own(private_key: bytes, e: int, data, offsets, domain: bytes, *, hash_bytes: int = HASH_BYTES,
             threads: int | None = None) -> np.ndarray:
    """The server's final hashes H'(H(y)^d) of its own identifiers, (count, hash_bytes)."""
    k = _modulus_bytes(private_key)
    ids_ptr, off_ptr, count, _keep = _ids(data, offsets)
    out = np.empty((count, hash_bytes), dtype=np.uint8)
    dom, dom_len = _domain(domain)
    check(lib.mpc_rsa_psi_hash_own(private_key, k, e, ids_ptr, off_ptr, count, dom, dom_len, _out(out),
                                   hash_bytes, threads or default_threads()), "RSA-PSI hash own set")
    return out


def generate_private_key(bits: int) -> bytes:
    """A fresh RSA key (e = 65537) from OpenSSL's key generation, as the private-key blob."""
    k = bits // 8
    blob = bytearray(k + 5 * (k // 2))
    check(lib.mpc_rsa_psi_keygen(bits, ffi.from_buffer("uint8_t[]", blob, require_writable=True), len(blob)),
          "RSA-PSI key generation")
    return bytes(blob)


def split_private_key(private_key: bytes) -> tuple[int, ...]:
    """(n, p, q, dp, dq, qinv) of a private-key blob."""
    k = _modulus_bytes(private_key)
    half = k // 2
    parts = [private_key[:k]] + [private_key[k + i * half:k + (i + 1) * half] for i in range(5)]
    return tuple(int.from_bytes(part, "big") for part in parts)


def private_key_blob(n: int, p: int, q: int, dp: int, dq: int, qinv: int, k: int) -> bytes:
    """The kernel's private-key layout: n || p || q || dp || dq || qinv (k + 5·k/2 bytes)."""
    half = k // 2
    if k % 2 or n.bit_length() > 8 * k or max(p, q).bit_length() > 8 * half:
        raise ValueError("key parts do not fit the modulus length")
    return n.to_bytes(k, "big") + b"".join(v.to_bytes(half, "big") for v in (p, q, dp, dq, qinv))


def _modulus_bytes(private_key: bytes) -> int:
    if len(private_key) % 7:
        raise ValueError("private key blob has a bad length")
    return len(private_key) * 2 // 7
