"""Where the secret-sharing code gets its randomness: the session's PRG, or the OS.

For the modules of mpc.ss.  Accepts any object with `.uint64(n)` or `.bytes(n)` (the AES-CTR
`mpc.prg.Prg`); `None` means `os.urandom`.  Never `random` or `numpy.random`.
"""
from __future__ import annotations

import os

import numpy as np


def random_bytes(rng, count: int) -> bytes:
    if rng is None:
        return os.urandom(count)
    data = rng.bytes(count)
    return bytes(data) if not isinstance(data, bytes) else data


def random_uint64(rng, shape) -> np.ndarray:
    """Uniform words of Z_2^64 in a fresh writable array of `shape`."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    count = int(np.prod(shape, dtype=np.int64))
    if rng is not None and hasattr(rng, "uint64"):
        words = np.asarray(rng.uint64(count), dtype=np.uint64)
    else:
        words = np.frombuffer(random_bytes(rng, 8 * count), dtype=np.uint64)
    return words.reshape(shape).copy() if not words.flags.writeable else words.reshape(shape)


def random_bits(rng, count: int) -> np.ndarray:
    """`count` uniform bits as uint8 0/1."""
    data = np.frombuffer(random_bytes(rng, (count + 7) // 8), dtype=np.uint8)
    return np.unpackbits(data, bitorder="little")[:count].copy()
