"""The rings of additive sharing, Z_2^64 and Z_2^128, behind one interface (pure math, no I/O).

For every module of mpc.ss that touches additive shares: the code above this layer is ring-generic
and asks a share's ring (`SharedArray.ring`) for arithmetic, randomness, encodings and the wire
format.  `RING64` holds elements as numpy uint64 (numpy's wrap-around is the ring); `RING128` as
the opaque 16-byte dtype `U128` = np.dtype("V16") (two little-endian uint64 limbs, low first;
`RING128.to_wire(a)` is the (..., 2) uint64 view), with arithmetic in the C kernels of
native/ring128.c.  Both dtypes index, slice, reshape,
transpose, concatenate and broadcast as numpy does; only arithmetic must come through a ring.
Signed values are two's complement.  Spec: protocols/ss-additive.md, "Rings".
"""
from __future__ import annotations

import numpy as np

from mpc.errors import RangeError
from mpc.native import ring as r128
from mpc.ss.randomness import random_uint64

U128 = r128.U128


def contiguous(array) -> np.ndarray:
    """A C-contiguous copy (or the array itself), keeping 0-d arrays 0-d (np.ascontiguousarray does not)."""
    array = np.asarray(array)
    return array if array.flags.c_contiguous else array.copy(order="C")


class Ring:
    """Z_2^bits: the operations the sharing layer needs, on arrays of `dtype`."""

    bits: int
    dtype: np.dtype
    name: str

    @property
    def element_bytes(self) -> int:
        return self.bits // 8

    def __repr__(self) -> str:
        return f"<ring {self.name}>"

    def __reduce__(self):                       # rings are singletons, also across pickling
        return (ring_for_bits, (self.bits,))

    # -- construction ------------------------------------------------------------------------
    def zeros(self, shape) -> np.ndarray:
        return np.zeros(shape, self.dtype)

    def random(self, rng, shape) -> np.ndarray:
        """Uniform elements from the PRG (or os.urandom for rng=None)."""
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        words = random_uint64(rng, (*shape, self.bits // 64))
        return self.from_wire(words, shape)

    def asarray(self, values) -> np.ndarray:
        array = np.asarray(values)
        if array.dtype != self.dtype:
            raise TypeError(f"{self.name} shares are {self.dtype} arrays, not {array.dtype}")
        return array

    # -- wire format: uint64 words, little-endian ----------------------------------------------
    def wire_shape(self, shape) -> tuple:
        raise NotImplementedError

    def to_wire(self, a) -> np.ndarray:
        raise NotImplementedError

    def from_wire(self, words, shape) -> np.ndarray:
        raise NotImplementedError

    # -- to and from Python integers (tests, garbled-circuit inputs) ----------------------------
    def to_python(self, a) -> list:
        """Elements as Python ints in [0, 2^bits), C order."""
        raise NotImplementedError

    def from_python(self, values, shape) -> np.ndarray:
        raise NotImplementedError

    def signed_python(self, a) -> list:
        half, full = 1 << (self.bits - 1), 1 << self.bits
        return [v - full if v >= half else v for v in self.to_python(a)]


class Ring64(Ring):
    bits = 64
    dtype = np.dtype(np.uint64)
    name = "Z_2^64"

    def wire_shape(self, shape) -> tuple:
        return tuple(shape)

    def to_wire(self, a) -> np.ndarray:
        a = np.asarray(a, dtype=np.uint64)
        return a if a.flags.c_contiguous else a.copy(order="C")

    def from_wire(self, words, shape) -> np.ndarray:
        return np.asarray(words, dtype=np.uint64).reshape(shape)

    def add(self, a, b, out=None):
        with np.errstate(over="ignore"):
            return np.asarray(np.add(a, b, dtype=np.uint64, out=out))

    def sub(self, a, b, out=None):
        with np.errstate(over="ignore"):
            return np.asarray(np.subtract(a, b, dtype=np.uint64, out=out))

    def neg(self, a):
        return np.asarray(np.negative(np.asarray(a, dtype=np.uint64)))

    def mul(self, a, b):
        with np.errstate(over="ignore"):
            return np.asarray(np.multiply(a, b, dtype=np.uint64))

    def matmul(self, a, b):
        return np.matmul(np.asarray(a, np.uint64), np.asarray(b, np.uint64))

    def sum(self, a, axis=None):
        return np.asarray(np.sum(a, axis=axis, dtype=np.uint64))

    def shl(self, a, bits: int):
        return np.asarray(np.left_shift(np.asarray(a, np.uint64), np.uint64(bits)))

    def shr(self, a, bits: int):
        """Arithmetic (sign-filling) right shift."""
        return np.asarray(np.asarray(a, np.uint64).view(np.int64) >> np.int64(bits)).view(np.uint64)

    def shr_logical(self, a, bits: int):
        return np.asarray(np.right_shift(np.asarray(a, np.uint64), np.uint64(bits)))

    def beaver(self, a, b, c, d, e, add_de: bool):
        with np.errstate(over="ignore"):
            z = np.asarray(c + d * b)
            z += e * a
            if add_de:
                z += d * e
        return z

    def from_int(self, values) -> np.ndarray:
        """Integers (numpy or Python, any sign) reduced mod 2^64."""
        array = np.asarray(values)
        if array.dtype == np.uint64:
            return array.copy()
        if array.dtype.kind == "b":
            return array.astype(np.uint64)
        if array.dtype.kind in "iu":
            return array.astype(np.int64).view(np.uint64)
        if array.dtype.kind == "O":
            return self.from_python(array.ravel().tolist(), array.shape)
        raise TypeError(f"integer sharing needs an integer array, not {array.dtype}")

    def to_int(self, a) -> np.ndarray:
        """Signed int64 (two's complement)."""
        return np.asarray(a, dtype=np.uint64).view(np.int64)

    def encode(self, values, frac: int, bound_bits: int) -> np.ndarray:
        array = np.asarray(values, dtype=np.float64)
        scaled = np.rint(array * float(1 << frac))
        bad = ~(np.abs(scaled) < float(2 ** bound_bits))
        if np.any(bad):
            value = array[bad].ravel()[0]
            raise RangeError(f"{value!r} is outside the fixed-point range: |x| < 2^{bound_bits - frac} with "
                             f"{frac} fractional bits in {self.name} (and finite)")
        return scaled.astype(np.int64).view(np.uint64)

    def decode(self, a, frac: int) -> np.ndarray:
        return np.asarray(a, np.uint64).view(np.int64).astype(np.float64) / float(1 << frac)

    def trunc_local(self, a, party: int, bits: int):
        a = np.asarray(a, dtype=np.uint64)
        if party == 0:
            return self.shr(a, bits)
        return np.negative(self.shr(np.negative(a), bits))

    def trunc_mask(self, share, random, mask_bits: int, party: int, bias: int):
        mask = np.asarray(random, np.uint64) >> np.uint64(64 - mask_bits)
        publish = self.add(share, mask)
        if party == 0:
            publish = self.add(publish, np.uint64(1 << bias))
        return mask, publish

    def trunc_finish(self, opened, mask, party: int, bias: int, bits: int):
        out = np.negative(np.asarray(mask >> np.uint64(bits)))
        if party == 0:
            with np.errstate(over="ignore"):
                out += (opened >> np.uint64(bits)) - np.uint64(1 << (bias - bits))
        return out

    def below(self, a, limit_bits: int) -> bool:
        return limit_bits >= 64 or not np.any(np.asarray(a, np.uint64) >> np.uint64(limit_bits))

    def to_python(self, a) -> list:
        return [int(v) for v in np.asarray(a, np.uint64).ravel().tolist()]

    def from_python(self, values, shape) -> np.ndarray:
        return np.array([int(v) % (1 << 64) for v in values], dtype=np.uint64).reshape(shape)


class Ring128(Ring):
    bits = 128
    dtype = U128
    name = "Z_2^128"

    def wire_shape(self, shape) -> tuple:
        return (*tuple(shape), 2)

    def to_wire(self, a) -> np.ndarray:
        return r128.words(self.asarray(a))

    def from_wire(self, words, shape) -> np.ndarray:
        return r128.from_words(np.asarray(words, np.uint64).reshape(*tuple(shape), 2))

    def add(self, a, b, out=None):
        a, b = self._broadcast(a, b)
        return r128.add(a, b, out)

    def sub(self, a, b, out=None):
        a, b = self._broadcast(a, b)
        return r128.sub(a, b, out)

    def neg(self, a):
        return r128.neg(self.asarray(a))

    def mul(self, a, b):
        a, b = self._broadcast(a, b)
        return r128.mul(a, b)

    def _broadcast(self, a, b):
        a, b = self.asarray(a), self.asarray(b)
        if a.shape != b.shape:
            a, b = np.broadcast_arrays(a, b)
        return a, b

    def matmul(self, a, b):
        return r128.matmul(self.asarray(a), self.asarray(b))

    def sum(self, a, axis=None):
        return r128.sum_axis(self.asarray(a), axis)

    def shl(self, a, bits: int):
        return r128.shl(self.asarray(a), bits)

    def shr(self, a, bits: int):
        return r128.shr_arith(self.asarray(a), bits)

    def shr_logical(self, a, bits: int):
        return r128.shr_logical(self.asarray(a), bits)

    def beaver(self, a, b, c, d, e, add_de: bool):
        return r128.beaver(a, b, c, d, e, add_de)

    def from_int(self, values) -> np.ndarray:
        array = np.asarray(values)
        if array.dtype == U128:
            return array.copy()
        if array.dtype == np.uint64:          # unsigned 64-bit values zero-extend
            limbs = np.zeros((*array.shape, 2), np.uint64)
            limbs[..., 0] = array
            return r128.from_words(limbs)
        if array.dtype.kind in "biu":
            return r128.from_int64(array.astype(np.int64))
        if array.dtype.kind == "O":
            return self.from_python(array.ravel().tolist(), array.shape)
        raise TypeError(f"integer sharing needs an integer array, not {array.dtype}")

    def to_int(self, a) -> np.ndarray:
        """Signed values as int64 when they fit, else a numpy object array of Python ints."""
        a = self.asarray(a)
        limbs = r128.words(a)
        lo = contiguous(limbs[..., 0]).view(np.int64)
        hi = contiguous(limbs[..., 1]).view(np.int64)
        if np.all(hi == (lo >> np.int64(63))):
            return lo.copy()
        return np.array(self.signed_python(a), dtype=object).reshape(a.shape)

    def encode(self, values, frac: int, bound_bits: int) -> np.ndarray:
        return r128.encode(values, frac, bound_bits)

    def decode(self, a, frac: int) -> np.ndarray:
        return r128.decode(self.asarray(a), frac)

    def trunc_local(self, a, party: int, bits: int):
        return r128.trunc_local(self.asarray(a), party, bits)

    def trunc_mask(self, share, random, mask_bits: int, party: int, bias: int):
        return r128.trunc_mask(share, random, mask_bits, party, bias)

    def trunc_finish(self, opened, mask, party: int, bias: int, bits: int):
        return r128.trunc_finish(opened, mask, party, bias, bits)

    def below(self, a, limit_bits: int) -> bool:
        return r128.below(self.asarray(a), limit_bits)

    def to_python(self, a) -> list:
        return r128.to_python(self.asarray(a))

    def from_python(self, values, shape) -> np.ndarray:
        return r128.from_python(list(values), shape)


RING64 = Ring64()
RING128 = Ring128()
RINGS = {64: RING64, 128: RING128}


def ring_for_bits(bits) -> Ring:
    """RING64 or RING128 for 64 / 128 (a Ring passes through)."""
    if isinstance(bits, Ring):
        return bits
    try:
        return RINGS[int(bits)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"ring must be 64 or 128 (bits), not {bits!r}") from None


def ring_of_dtype(dtype) -> Ring:
    dtype = np.dtype(dtype)
    if dtype == U128:
        return RING128
    if dtype == np.uint64:
        return RING64
    raise TypeError(f"no ring holds {dtype} elements")
