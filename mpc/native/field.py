"""Z_p vector arithmetic for p = 2^61 - 1, over the C kernels of native/field.c.

For the Shamir sharing code (mpc.ss.shamir, protocols/ss-shamir.md).  Arrays are C-contiguous
uint64 numpy arrays holding reduced elements; every function checks dtype and length and returns a
new array (or writes into `out`).  `check_elements` is what untrusted peer data goes through.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import ProtocolError
from mpc.native import check, ffi, lib

PRIME = (1 << 61) - 1


def _u64(array, name: str) -> np.ndarray:
    array = np.asarray(array)
    if not array.flags.c_contiguous:     # (np.ascontiguousarray would turn 0-d into 1-d)
        array = array.copy(order="C")
    if array.dtype != np.uint64:
        raise TypeError(f"{name} must be a uint64 array of field elements, not {array.dtype}")
    return array


def _ptr(array: np.ndarray, ctype: str = "uint64_t[]"):
    return ffi.from_buffer(ctype, array, require_writable=False)


def _out(shape, out: np.ndarray | None) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=np.uint64)
    if out.dtype != np.uint64 or out.shape != tuple(shape) or not out.flags.c_contiguous:
        raise ValueError(f"out must be a contiguous uint64 array of shape {tuple(shape)}")
    return out


def _pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _u64(a, "a"), _u64(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"field operands have shapes {a.shape} and {b.shape}")
    return a, b


def is_reduced(a) -> bool:
    a = _u64(a, "a")
    return lib.mpc_field_check(_ptr(a), a.size) == 0


def check_elements(a, what: str, peer=None) -> np.ndarray:
    """`a` if every element is below p; `ProtocolError` naming `what` otherwise (peer data)."""
    a = _u64(a, what)
    if lib.mpc_field_check(_ptr(a), a.size) != 0:
        raise ProtocolError(f"{what} holds values outside Z_p", peer)
    return a


def reduce(a) -> np.ndarray:
    a = _u64(a, "a")
    out = np.empty_like(a)
    check(lib.mpc_field_reduce(_ptr(a), ffi.from_buffer("uint64_t[]", out), a.size), "field reduce")
    return out


def from_signed(a) -> np.ndarray:
    """Signed integers (int64) into Z_p, negatives as p - |x|."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    out = np.empty(a.shape, dtype=np.uint64)
    check(lib.mpc_field_from_signed(_ptr(a, "int64_t[]"), ffi.from_buffer("uint64_t[]", out), a.size),
          "field from_signed")
    return out


def to_signed(a) -> np.ndarray:
    """Centred lift: elements above (p-1)/2 come back negative (int64)."""
    a = _u64(a, "a")
    out = np.empty(a.shape, dtype=np.int64)
    check(lib.mpc_field_to_signed(_ptr(a), ffi.from_buffer("int64_t[]", out), a.size), "field to_signed")
    return out


def _binary(kernel, name: str, a, b, out) -> np.ndarray:
    a, b = _pair(a, b)
    out = _out(a.shape, out)
    check(kernel(_ptr(a), _ptr(b), ffi.from_buffer("uint64_t[]", out), a.size), name)
    return out


def add(a, b, out=None) -> np.ndarray:
    return _binary(lib.mpc_field_add, "field add", a, b, out)


def sub(a, b, out=None) -> np.ndarray:
    return _binary(lib.mpc_field_sub, "field sub", a, b, out)


def mul(a, b, out=None) -> np.ndarray:
    return _binary(lib.mpc_field_mul, "field mul", a, b, out)


def neg(a) -> np.ndarray:
    a = _u64(a, "a")
    return sub(np.zeros_like(a), a)


def mul_scalar(a, scalar: int, out=None) -> np.ndarray:
    a = _u64(a, "a")
    out = _out(a.shape, out)
    check(lib.mpc_field_mul_scalar(_ptr(a), int(scalar) % PRIME, ffi.from_buffer("uint64_t[]", out), a.size),
          "field mul_scalar")
    return out


def dot(a, b) -> int:
    a, b = _pair(a, b)
    result = ffi.new("uint64_t *")
    check(lib.mpc_field_dot(_ptr(a), _ptr(b), a.size, result), "field dot")
    return int(result[0])


def matmul(a, b) -> np.ndarray:
    a, b = _u64(a, "a"), _u64(b, "b")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply field matrices of shapes {a.shape} and {b.shape}")
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.uint64)
    check(lib.mpc_field_matmul(_ptr(a), _ptr(b), ffi.from_buffer("uint64_t[]", out),
                               a.shape[0], a.shape[1], b.shape[1]), "field matmul")
    return out


def combine(vectors, coeffs) -> np.ndarray:
    """sum_i coeffs[i] * vectors[i] mod p; `vectors` is (k, ...) and `coeffs` has k entries."""
    vectors = _u64(vectors, "vectors")
    coeffs = np.ascontiguousarray([int(c) % PRIME for c in coeffs], dtype=np.uint64)
    if vectors.shape[0] != coeffs.size:
        raise ValueError(f"{coeffs.size} coefficients for {vectors.shape[0]} vectors")
    n = vectors[0].size if coeffs.size else 0
    out = np.empty(vectors.shape[1:], dtype=np.uint64)
    check(lib.mpc_field_combine(_ptr(vectors), _ptr(coeffs), coeffs.size, n,
                                ffi.from_buffer("uint64_t[]", out)), "field combine")
    return out


def share_polynomial(secrets, coeffs, points) -> np.ndarray:
    """Evaluations (len(points), *secrets.shape) of s + c_1 x + ... + c_t x^t at each point."""
    secrets = _u64(secrets, "secrets")
    coeffs = _u64(coeffs, "coeffs")
    degree = coeffs.shape[0] if coeffs.ndim > secrets.ndim else 0
    if degree and coeffs.shape[1:] != secrets.shape:
        raise ValueError(f"coefficients of shape {coeffs.shape} for secrets of shape {secrets.shape}")
    points = np.ascontiguousarray([int(x) for x in points], dtype=np.uint64)
    out = np.empty((points.size, *secrets.shape), dtype=np.uint64)
    check(lib.mpc_field_share(_ptr(secrets), _ptr(coeffs) if degree else ffi.NULL, degree, secrets.size,
                              _ptr(points), points.size, ffi.from_buffer("uint64_t[]", out)),
          "field share")
    return out


def sample(random_bytes, count: int) -> np.ndarray:
    """`count` uniform elements from PRG bytes by rejection; give at least 8*count + 64 bytes."""
    data = bytes(random_bytes) if not isinstance(random_bytes, (bytes, np.ndarray)) else random_bytes
    out = np.empty(count, dtype=np.uint64)
    used = ffi.new("size_t *")
    code = lib.mpc_field_sample(ffi.from_buffer("uint8_t[]", data), len(data) if isinstance(data, bytes)
                                else data.nbytes, ffi.from_buffer("uint64_t[]", out), count, used)
    check(code, "field sample (not enough random bytes)")
    return out
