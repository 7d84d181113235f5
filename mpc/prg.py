"""The AES-CTR pseudorandom generator every protocol draws its randomness from.

`Prg()` seeds itself from os.urandom; `Prg(seed)` with a 16-byte seed gives a reproducible stream
(randomness shared between parties, or derived for a sub-protocol).  Each request costs one C call
(`mpc_prg_fill`).  Spec: protocols/primitives.md, section "PRG".

Stream layout: the generator is AES-128-CTR under the seed as key, counter blocks 0^64 || be64(c)
from c = 0.  A request takes whole blocks: it uses ceil(nbytes / 16) fresh counter values and
discards the unused tail of the last block, so two requests of 8 bytes are not one request of 16.
The counter never wraps (OverflowError after 2^64 blocks).  A Prg is not thread-safe: give each
thread its own (`derive`).  A self-seeded Prg (no seed given) reseeds from os.urandom when it finds
itself in a forked child, so parent and child never share a stream; a seeded Prg is deterministic
by design and is copied as is.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np

from mpc.native.aes import BLOCK_BYTES, KEY_BYTES, AesKey

SEED_BYTES = KEY_BYTES
_COUNTER_LIMIT = 2**64
_DERIVE_DOMAIN = b"mpc.prg.derive.v1\x00"
_SESSION_KEY_DOMAIN = b"mpc.session-key.v1\x00"


def _length_prefixed(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


def _label_bytes(label: bytes | str) -> bytes:
    if isinstance(label, str):
        return label.encode("utf-8")
    if isinstance(label, (bytes, bytearray, memoryview)):
        return bytes(label)
    raise TypeError(f"a label is bytes or str, got {type(label).__name__}")


def derive_session_key(label: bytes | str, *contributions: bytes) -> bytes:
    """A 16-byte per-session key (e.g. the fixed key pi of the GKWY hashes, or a shared PRG seed)
    from every party's random contribution, in party order: SHA-256 over the length-prefixed
    domain, label and contributions, truncated.  Each party draws its contribution with
    os.urandom(16) and sends it to the others; every party then calls this with the same list.
    Under semi-honest security one honest contribution makes the key uniform; against active
    adversaries exchange commitments first (see protocols/primitives.md)."""
    if not contributions:
        raise ValueError("derive_session_key needs at least one contribution")
    digest = hashlib.sha256(_SESSION_KEY_DOMAIN + _length_prefixed(_label_bytes(label),
                                                                   *map(bytes, contributions)))
    return digest.digest()[:KEY_BYTES]


class Prg:
    """AES-128-CTR PRG: `bytes`, `blocks`, `uint64`, `bits`, `integers_below`, `derive`."""

    __slots__ = ("_seed", "_key", "_counter", "_owner_pid")

    def __init__(self, seed: bytes | None = None, *, impl: str = "auto"):
        # _owner_pid is None for a seeded generator: a forked copy must repeat its stream.
        self._owner_pid = os.getpid() if seed is None else None
        if seed is None:
            seed = os.urandom(SEED_BYTES)
        self._set_seed(bytes(seed), impl)

    def _set_seed(self, seed: bytes, impl: str) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError(f"a PRG seed is {SEED_BYTES} bytes, got {len(seed)}")
        self._seed = seed
        self._key = AesKey(seed, impl)
        self._counter = 0

    def _check_fork(self) -> None:
        if self._owner_pid is not None and self._owner_pid != os.getpid():
            self._owner_pid = os.getpid()
            self._set_seed(os.urandom(SEED_BYTES), self._key.impl)

    @classmethod
    def random(cls, *, impl: str = "auto") -> "Prg":
        """A PRG seeded from os.urandom."""
        return cls(None, impl=impl)

    def __repr__(self) -> str:  # never show the seed
        return f"Prg(impl={self._key.impl!r}, blocks_used={self._counter})"

    @property
    def impl(self) -> str:
        """"ni" or "portable": which AES implementation this generator runs on."""
        return self._key.impl

    @property
    def blocks_used(self) -> int:
        """How many 16-byte counter blocks this generator has consumed."""
        return self._counter

    def _reserve(self, nbytes: int) -> int:
        if nbytes < 0:
            raise ValueError("a PRG request must be non-negative")
        self._check_fork()
        nblocks = -(-nbytes // BLOCK_BYTES)
        if self._counter + nblocks > _COUNTER_LIMIT:
            raise OverflowError("the PRG counter would wrap around 2^64; use a fresh seed")
        start = self._counter
        self._counter += nblocks
        return start

    def fill(self, out) -> None:
        """Overwrite a writable bytes-like object or C-contiguous numpy array with PRG output."""
        size = out.nbytes if isinstance(out, np.ndarray) else len(memoryview(out).cast("B"))
        self._key.keystream(self._reserve(size), size, out=out)

    def bytes(self, n: int) -> bytes:
        """n pseudorandom bytes."""
        n = int(n)
        return self._key.keystream(self._reserve(n), n)

    def _array(self, nbytes: int) -> np.ndarray:
        out = np.empty(nbytes, dtype=np.uint8)
        self._key.keystream(self._reserve(nbytes), nbytes, out=out)
        return out

    def blocks(self, n: int) -> np.ndarray:
        """n pseudorandom 16-byte blocks, uint8 array of shape (n, 16)."""
        return self._array(int(n) * BLOCK_BYTES).reshape(int(n), BLOCK_BYTES)

    def uint64(self, n: int) -> np.ndarray:
        """n uniform uint64 values (little-endian words of the stream), shape (n,)."""
        return self._array(int(n) * 8).view("<u8").astype(np.uint64, copy=False)

    def bits(self, n: int) -> np.ndarray:
        """n uniform bits as a uint8 array of 0/1, shape (n,) (bit k of byte j is element 8j+k)."""
        n = int(n)
        return np.unpackbits(self._array(-(-n // 8)), bitorder="little")[:n]

    def integers_below(self, bound: int, n: int) -> np.ndarray:
        """n uniform integers in [0, bound) by rejection sampling (no modulo bias).

        bound <= 2^64 gives a uint64 array; a larger bound (e.g. a 127-bit prime field) gives an
        object array of Python ints.  Each candidate is masked to the bit length of bound - 1, so
        at least half are accepted."""
        bound, n = int(bound), int(n)
        if bound < 1:
            raise ValueError("bound must be at least 1")
        if n < 0:
            raise ValueError("n must be non-negative")
        if bound > 2**64:
            return self._big_integers_below(bound, n)
        if bound == 1:
            return np.zeros(n, dtype=np.uint64)
        mask = np.uint64((1 << (bound - 1).bit_length()) - 1)
        limit = np.uint64(bound - 1)
        result = np.empty(n, dtype=np.uint64)
        filled = 0
        while filled < n:
            want = n - filled
            candidates = self.uint64(want + want // 2 + 16) & mask
            accepted = candidates[candidates <= limit][:want]
            result[filled:filled + accepted.size] = accepted
            filled += accepted.size
        return result

    def _big_integers_below(self, bound: int, n: int) -> np.ndarray:
        bits = (bound - 1).bit_length()
        width = -(-bits // 8)
        top_mask = (1 << bits) - 1
        result = np.empty(n, dtype=object)
        filled = 0
        while filled < n:
            want = n - filled
            count = want + want // 2 + 8
            raw = self.bytes(count * width)
            for k in range(count):
                value = int.from_bytes(raw[k * width:(k + 1) * width], "little") & top_mask
                if value < bound:
                    result[filled] = value
                    filled += 1
                    if filled == n:
                        break
        return result

    def derive(self, label: bytes | str) -> "Prg":
        """An independent child PRG for `label`: seed = SHA-256(domain, seed, label)[:16].

        Depends only on this generator's seed and the label, not on how much has been drawn, so
        parties sharing a seed derive the same child for the same label; distinct labels give
        independent streams (SHA-256 as a random oracle / PRF)."""
        self._check_fork()
        digest = hashlib.sha256(_DERIVE_DOMAIN + _length_prefixed(self._seed, _label_bytes(label)))
        return Prg(digest.digest()[:SEED_BYTES], impl=self._key.impl)
