"""Z_2^128 array arithmetic over the C kernels of native/ring128.c (header native/mpc_ring.h).

For mpc.ss.ring (the ring abstraction of the secret-sharing layer).  An element is two
little-endian uint64 limbs, low word first; numpy holds arrays of them as the opaque 16-byte dtype
`U128` = np.dtype("V16"), so indexing, reshape, transpose, concatenate and broadcast_to work on
shares unchanged (at memcpy speed), numpy refuses any arithmetic on them, and arithmetic must come
through here.  `words(a)` is the (..., 2) uint64 view of the limbs.  Every function
checks dtypes and shapes, makes one kernel call and returns a fresh array of the operands' shape.
Spec: protocols/ss-additive.md, "Rings".
"""
from __future__ import annotations

import numpy as np

from mpc.errors import RangeError
from mpc.native import check, ffi, lib

U128 = np.dtype("V16")
MASK64 = (1 << 64) - 1


def _c(array: np.ndarray) -> np.ndarray:
    if array.dtype != U128:
        raise TypeError(f"Z_2^128 kernels take {U128} arrays, not {array.dtype}")
    return array if array.flags.c_contiguous else array.copy(order="C")


def _contig(values, dtype) -> np.ndarray:
    """C-contiguous array of `dtype` keeping the shape (np.ascontiguousarray turns 0-d into 1-d)."""
    array = np.asarray(values, dtype=dtype)
    return array if array.flags.c_contiguous else array.copy(order="C")


def _words(array: np.ndarray, writable: bool = False):
    return ffi.from_buffer("uint64_t[]", array.reshape(-1), require_writable=writable)


def _pair(a, b):
    a, b = _c(np.asarray(a)), _c(np.asarray(b))
    if a.shape != b.shape:
        raise ValueError(f"Z_2^128 operands have shapes {a.shape} and {b.shape}")
    return a, b


def empty(shape) -> np.ndarray:
    return np.empty(shape, U128)


def zeros(shape) -> np.ndarray:
    return np.zeros(shape, U128)


def words(array) -> np.ndarray:
    """The limbs as a uint64 array of shape (*shape, 2) (a view when contiguous)."""
    array = _c(np.asarray(array))
    return array.reshape(-1).view(np.uint64).reshape(*array.shape, 2)


def from_words(limbs) -> np.ndarray:
    """Inverse of `words`: uint64 (*shape, 2) to U128 (*shape)."""
    limbs = _contig(limbs, np.uint64)
    if limbs.ndim == 0 or limbs.shape[-1] != 2:
        raise ValueError(f"limbs must have a last axis of 2, not shape {limbs.shape}")
    return limbs.reshape(-1).view(U128).reshape(limbs.shape[:-1])


def _binary(kernel, a, b, what: str, out=None) -> np.ndarray:
    a, b = _pair(a, b)
    if out is None:
        out = empty(a.shape)
    elif out.dtype != U128 or out.shape != a.shape or not out.flags.c_contiguous:
        raise ValueError(f"out must be a contiguous {U128} array of shape {a.shape}")
    check(kernel(_words(a), _words(b), _words(out, True), a.size), what)
    return out


def add(a, b, out=None) -> np.ndarray:
    return _binary(lib.mpc_ring128_add, a, b, "Z_2^128 add", out)


def sub(a, b, out=None) -> np.ndarray:
    return _binary(lib.mpc_ring128_sub, a, b, "Z_2^128 sub", out)


def mul(a, b) -> np.ndarray:
    return _binary(lib.mpc_ring128_mul, a, b, "Z_2^128 mul")


def neg(a) -> np.ndarray:
    a = _c(np.asarray(a))
    out = empty(a.shape)
    check(lib.mpc_ring128_neg(_words(a), _words(out, True), a.size), "Z_2^128 neg")
    return out


def _shift(kernel, a, bits: int, what: str) -> np.ndarray:
    a = _c(np.asarray(a))
    if not 0 <= int(bits) < 128:
        raise ValueError(f"shift by {bits} bits outside 0..127")
    out = empty(a.shape)
    check(kernel(_words(a), int(bits), _words(out, True), a.size), what)
    return out


def shl(a, bits: int) -> np.ndarray:
    return _shift(lib.mpc_ring128_shl, a, bits, "Z_2^128 shift left")


def shr_arith(a, bits: int) -> np.ndarray:
    return _shift(lib.mpc_ring128_shr_arith, a, bits, "Z_2^128 arithmetic shift right")


def shr_logical(a, bits: int) -> np.ndarray:
    return _shift(lib.mpc_ring128_shr_logical, a, bits, "Z_2^128 logical shift right")


def sum_axis(a, axis=None) -> np.ndarray:
    """Sum mod 2^128 over `axis` (None: all elements), as numpy's sum does."""
    a = np.asarray(a)
    if a.dtype != U128:
        raise TypeError(f"Z_2^128 kernels take {U128} arrays, not {a.dtype}")
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = int(axis)
    if not -a.ndim <= axis < a.ndim:
        raise np.exceptions.AxisError(axis, a.ndim) if hasattr(np, "exceptions") else ValueError(axis)
    axis %= a.ndim
    outer = int(np.prod(a.shape[:axis], dtype=np.int64))
    inner = int(np.prod(a.shape[axis + 1:], dtype=np.int64))
    a = _c(a)
    out = empty(a.shape[:axis] + a.shape[axis + 1:])
    check(lib.mpc_ring128_sum_axis(_words(a), outer, a.shape[axis], inner, _words(out, True)), "Z_2^128 sum")
    return out


def matmul(a, b) -> np.ndarray:
    """2-D matrix product mod 2^128."""
    a, b = _c(np.asarray(a)), _c(np.asarray(b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"Z_2^128 matrix product of shapes {a.shape} and {b.shape}")
    out = empty((a.shape[0], b.shape[1]))
    check(lib.mpc_ring128_matmul(_words(a), _words(b), _words(out, True), a.shape[0], a.shape[1], b.shape[1]),
          "Z_2^128 matmul")
    return out


def beaver(a, b, c, d, e, add_de: bool) -> np.ndarray:
    """c + d b + e a (+ d e): one party's share of x y from a triple and the opened d, e."""
    arrays = [_c(np.asarray(v)) for v in (a, b, c, d, e)]
    shape = arrays[0].shape
    if any(v.shape != shape for v in arrays):
        raise ValueError(f"Beaver operands have shapes {[v.shape for v in arrays]}")
    out = empty(shape)
    check(lib.mpc_ring128_beaver(*(_words(v) for v in arrays), 1 if add_de else 0, _words(out, True), out.size),
          "Z_2^128 Beaver combination")
    return out


def from_int64(values) -> np.ndarray:
    values = _contig(values, np.int64)
    out = empty(values.shape)
    check(lib.mpc_ring128_from_int64(ffi.from_buffer("int64_t[]", values.reshape(-1)), _words(out, True),
                                     values.size), "Z_2^128 from int64")
    return out


def encode(values, frac: int, bound_bits: int) -> np.ndarray:
    """round(v 2^frac) for finite |v 2^frac| < 2^bound_bits; RangeError naming the bound otherwise."""
    values = _contig(values, np.float64)
    out = empty(values.shape)
    bad = ffi.new("size_t *")
    code = lib.mpc_ring128_encode(ffi.from_buffer("double[]", values.reshape(-1)), int(frac), int(bound_bits),
                                  _words(out, True), values.size, bad)
    if code == -7:
        value = values.reshape(-1)[bad[0]]
        raise RangeError(f"{value!r} is outside the fixed-point range: |x| < 2^{bound_bits - frac} with "
                         f"{frac} fractional bits (and finite)")
    check(code, "Z_2^128 encode")
    return out


def decode(a, frac: int) -> np.ndarray:
    a = _c(np.asarray(a))
    out = np.empty(a.shape, np.float64)
    check(lib.mpc_ring128_decode(_words(a), int(frac), ffi.from_buffer("double[]", out.reshape(-1)), a.size),
          "Z_2^128 decode")
    return out


def trunc_local(a, party: int, bits: int) -> np.ndarray:
    a = _c(np.asarray(a))
    out = empty(a.shape)
    check(lib.mpc_ring128_trunc_local(_words(a), int(party), int(bits), _words(out, True), a.size),
          "Z_2^128 local truncation")
    return out


def trunc_mask(share, random, mask_bits: int, party: int, bias: int):
    """(mask r = random >> (128 - mask_bits), published share + r (+ 2^bias at party 0))."""
    share, random = _pair(share, random)
    mask = random.copy()
    publish = empty(share.shape)
    check(lib.mpc_ring128_trunc_mask(_words(share), _words(mask, True), int(mask_bits), int(party), int(bias),
                                     _words(publish, True), share.size), "Z_2^128 truncation mask")
    return mask, publish


def trunc_finish(opened, mask, party: int, bias: int, bits: int) -> np.ndarray:
    opened, mask = _pair(opened, mask)
    out = empty(opened.shape)
    check(lib.mpc_ring128_trunc_finish(_words(opened), _words(mask), int(party), int(bias), int(bits),
                                       _words(out, True), out.size), "Z_2^128 truncation finish")
    return out


def below(opened, limit_bits: int) -> bool:
    """Whether every element, read as unsigned, is below 2^limit_bits."""
    opened = _c(np.asarray(opened))
    return lib.mpc_ring128_check_below(_words(opened), int(limit_bits), opened.size, ffi.NULL) == 0


GILBOA_BYTES = 1088   # packed corrections per product: sum over t < 128 of (16 - t // 8) bytes


def _pads(rows, products: int, what: str) -> np.ndarray:
    rows = np.ascontiguousarray(rows, dtype=np.uint8)
    if rows.shape != (128 * products, 16):
        raise ValueError(f"{what} must have shape ({128 * products}, 16), not {rows.shape}")
    return rows


def gilboa_sender(m0, m1, values):
    """(share (products,), packed corrections) of the sender of 128 random OTs per product."""
    values = _c(np.asarray(values)).reshape(-1)
    count = values.size
    m0, m1 = _pads(m0, count, "m0"), _pads(m1, count, "m1")
    share = empty(count)
    corrections = np.empty(count * GILBOA_BYTES, np.uint8)
    check(lib.mpc_ring128_gilboa_sender(ffi.from_buffer("uint8_t[]", m0), ffi.from_buffer("uint8_t[]", m1),
                                        _words(values), count, _words(share, True),
                                        ffi.from_buffer("uint8_t[]", corrections, require_writable=True)),
          "Gilboa sender")
    return share, corrections


def gilboa_receiver(m, values, corrections):
    """The receiver's share (products,) from its pads, its values (choice bits) and the corrections."""
    values = _c(np.asarray(values)).reshape(-1)
    count = values.size
    m = _pads(m, count, "m")
    corrections = np.ascontiguousarray(corrections, dtype=np.uint8).reshape(-1)
    if corrections.size != count * GILBOA_BYTES:
        raise ValueError(f"expected {count * GILBOA_BYTES} correction bytes, got {corrections.size}")
    share = empty(count)
    check(lib.mpc_ring128_gilboa_receiver(ffi.from_buffer("uint8_t[]", m), _words(values),
                                          ffi.from_buffer("uint8_t[]", corrections), count, _words(share, True)),
          "Gilboa receiver")
    return share


def to_python(a) -> list:
    """Elements as Python ints in [0, 2^128), in C order (for tests and garbled-circuit inputs)."""
    limbs = words(a).reshape(-1, 2)
    return [int(lo) | (int(hi) << 64) for lo, hi in limbs.tolist()]


def from_python(values, shape=None) -> np.ndarray:
    """Python ints (any sign, reduced mod 2^128) into a U128 array of `shape` (default: flat)."""
    values = [int(v) % (1 << 128) for v in values]
    limbs = np.array([[v & MASK64, v >> 64] for v in values], dtype=np.uint64).reshape(-1, 2)
    out = from_words(limbs)
    return out if shape is None else out.reshape(shape)
