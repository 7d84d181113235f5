"""Checked wrappers over the C core's AES area (native/mpc_aes.h): fixed-key AES-128, the AES-CTR
keystream and the Guo-Katz-Wang-Yu correlation-robust hashes.

For the PRG (`mpc.prg`) and for protocol code that hashes or encrypts whole batches of 16-byte
blocks in one call.  Spec: protocols/primitives.md.

Blocks go in as bytes-like objects or C-contiguous numpy uint8 arrays whose size is a multiple of 16;
results come back as bytes for bytes-like input and as a numpy uint8 array of shape (n, 16) for numpy
input (or are written into `out`).  The implementation (AES-NI or the constant-time portable code) is
chosen once per key and stored in its schedule, never globally.
"""
from __future__ import annotations

import numpy as np

from mpc.native import buffer, check, ffi, lib

BLOCK_BYTES = lib.MPC_AES_BLOCK_BYTES
KEY_BYTES = lib.MPC_AES_KEY_BYTES
SCHEDULE_BYTES = lib.MPC_AES_SCHEDULE_BYTES

_IMPLS = {"auto": lib.MPC_AES_AUTO, "ni": lib.MPC_AES_NI, "portable": lib.MPC_AES_PORTABLE}
_IMPL_NAMES = {lib.MPC_AES_NI: "ni", lib.MPC_AES_PORTABLE: "portable"}


def has_aes_ni() -> bool:
    """True when this CPU has the AES-NI instructions (and SSE4.1)."""
    return bool(lib.mpc_aes_has_ni())


def _block_count(data, what: str) -> int:
    size = data.nbytes if isinstance(data, np.ndarray) else len(memoryview(data).cast("B"))
    if size % BLOCK_BYTES:
        raise ValueError(f"{what}: {size} bytes is not a whole number of 16-byte blocks")
    return size // BLOCK_BYTES


def _input(data, what: str):
    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8:
            raise TypeError(f"{what}: expected a uint8 array, got {data.dtype}")
        data = np.ascontiguousarray(data)
    return data, _block_count(data, what)


def _output(data, nblocks: int, out, what: str):
    """The destination buffer and the value to return for it."""
    if out is not None:
        if isinstance(out, np.ndarray) and out.dtype != np.uint8:
            raise TypeError(f"{what}: out must be a uint8 array, got {out.dtype}")
        if isinstance(out, np.ndarray) and not out.flags.c_contiguous:
            raise ValueError(f"{what}: out must be C-contiguous")
        if _block_count(out, what) != nblocks:
            raise ValueError(f"{what}: out holds a different number of blocks than the input")
        return out, out
    if isinstance(data, np.ndarray):
        result = np.empty((nblocks, BLOCK_BYTES), dtype=np.uint8)
        return result, result
    result = bytearray(nblocks * BLOCK_BYTES)
    return result, result


def _finish(result, out):
    """What a call returns: `out` itself when given, else bytes or the new array."""
    if out is not None:
        return out
    return bytes(result) if isinstance(result, bytearray) else result


def _tweak_array(tweaks, nblocks: int) -> np.ndarray:
    """Per-block uint64 tweaks: an int means consecutive tweaks start, start+1, ..."""
    if isinstance(tweaks, (int, np.integer)):
        start = int(tweaks)
        if start < 0 or start + nblocks > 2**64:
            raise ValueError("tweaks: the consecutive range must stay within uint64")
        return np.arange(nblocks, dtype=np.uint64) + np.uint64(start)
    if isinstance(tweaks, np.ndarray) and tweaks.dtype.kind not in "ui":
        raise TypeError(f"tweaks: expected integers, got {tweaks.dtype}")
    array = np.ascontiguousarray(tweaks, dtype=np.uint64)
    if array.shape != (nblocks,):
        raise ValueError(f"tweaks: expected {nblocks} values, got shape {array.shape}")
    return array


class AesKey:
    """An expanded AES-128 key: the 192-byte schedule buffer the C kernels read.

    `impl` is "auto" (AES-NI when present), "ni" (NativeError code MPC_ERR_UNSUPPORTED without it)
    or "portable" (constant-time bitsliced C).  As the fixed key pi of the hashes it must be
    per-session key material agreed by the parties (see protocols/primitives.md), never a constant.
    """

    __slots__ = ("_schedule", "_pointer", "impl")

    def __init__(self, key: bytes, impl: str = "auto"):
        key = bytes(key)
        if len(key) != KEY_BYTES:
            raise ValueError(f"an AES-128 key is {KEY_BYTES} bytes, got {len(key)}")
        if impl not in _IMPLS:
            raise ValueError(f"impl must be one of {sorted(_IMPLS)}, got {impl!r}")
        self._schedule = bytearray(SCHEDULE_BYTES)
        self._pointer = buffer(self._schedule, writable=True)
        check(lib.mpc_aes_schedule_init(self._pointer, key, _IMPLS[impl]), "AES key schedule")
        self.impl = _IMPL_NAMES[lib.mpc_aes_schedule_impl(self._pointer)]

    def __repr__(self) -> str:  # never show key material
        return f"AesKey(impl={self.impl!r})"

    def expanded_key(self) -> bytes:
        """The 176-byte FIPS-197 key expansion w[0..43] (for known-answer tests; secret material)."""
        return bytes(self._schedule[:(10 + 1) * BLOCK_BYTES])

    def encrypt_blocks(self, data, out=None):
        """AES-128 ECB encryption of every 16-byte block of `data`."""
        data, nblocks = _input(data, "encrypt_blocks")
        target, result = _output(data, nblocks, out, "encrypt_blocks")
        check(lib.mpc_aes_encrypt_blocks(self._pointer, buffer(data), buffer(target, True), nblocks),
              "AES encryption")
        return _finish(result, out)

    def keystream(self, counter: int, nbytes: int, out=None):
        """AES-CTR keystream: the first nbytes of AES_k(C(counter)) || AES_k(C(counter+1)) || ...
        with counter block C(c) = 0^64 || c as big-endian uint64.  bytes, or written into `out`."""
        if nbytes < 0:
            raise ValueError("nbytes must be non-negative")
        if not 0 <= counter <= 2**64 or (nbytes and counter == 2**64):
            raise ValueError("counter must be a uint64")
        if counter + -(-nbytes // BLOCK_BYTES) > 2**64:
            raise OverflowError("the AES-CTR counter would wrap around 2^64")
        if out is None:
            target = bytearray(nbytes)
        else:
            target = out
            size = out.nbytes if isinstance(out, np.ndarray) else len(memoryview(out).cast("B"))
            if size != nbytes:
                raise ValueError(f"keystream: out holds {size} bytes, expected {nbytes}")
        if nbytes:
            check(lib.mpc_prg_fill(self._pointer, counter, buffer(target, True), nbytes), "AES-CTR")
        return bytes(target) if out is None else out

    def selfcheck(self, data, tweaks) -> None:
        """Check the AES-NI inline helpers other C files use (internal_aes.h) against the portable
        code on up to 64 blocks; NativeError (code MPC_ERR_VERIFY) on a mismatch."""
        data, nblocks = _input(data, "selfcheck")
        tweak_array = _tweak_array(tweaks, nblocks)
        check(lib.mpc_aes_selfcheck(self._pointer, buffer(data), ffi.from_buffer("uint64_t[]", tweak_array),
                                    nblocks), "AES inline-helper self-check")

    def hash_cr(self, data, out=None):
        """Correlation-robust hash H(x) = pi(x) ^ x of every block (GKWY 2020 section 7.2)."""
        data, nblocks = _input(data, "hash_cr")
        target, result = _output(data, nblocks, out, "hash_cr")
        check(lib.mpc_hash_cr(self._pointer, buffer(data), buffer(target, True), nblocks), "CR hash")
        return _finish(result, out)

    def hash_ccr(self, data, out=None):
        """Circular correlation-robust hash H(x) = pi(sigma(x)) ^ sigma(x) (GKWY section 7.3)."""
        data, nblocks = _input(data, "hash_ccr")
        target, result = _output(data, nblocks, out, "hash_ccr")
        check(lib.mpc_hash_ccr(self._pointer, buffer(data), buffer(target, True), nblocks), "CCR hash")
        return _finish(result, out)

    def hash_tccr(self, data, tweaks, out=None):
        """Tweakable circular correlation-robust hash H(x, i) = pi(pi(x) ^ i) ^ pi(x) (GKWY 7.4).

        `tweaks`: one uint64 per block (array-like), or an int start for tweaks start, start+1, ...
        Tweak i enters as the block with i in its low 64 bits."""
        data, nblocks = _input(data, "hash_tccr")
        tweak_array = _tweak_array(tweaks, nblocks)
        target, result = _output(data, nblocks, out, "hash_tccr")
        check(lib.mpc_hash_tccr(self._pointer, buffer(data), ffi.from_buffer("uint64_t[]", tweak_array),
                                buffer(target, True), nblocks), "TCCR hash")
        return _finish(result, out)
