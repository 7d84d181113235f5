"""SimplePIR matrix kernel (native/pir.c, native/pir_avx2.c): uint8 matrix times uint32 vectors mod 2^32.

For the PIR roles in mpc.pir (spec: protocols/pir.md).  `matmul(matrix, queries)` is the server's
answer (database times queries) and the hint (database times the public matrix A, as queries A^T);
`matmul_u32(planes, queries)` is the client's A·s and hint·s, through the four byte planes of a
uint32 matrix (M = sum_b 2^(8b) M_b), so one fast kernel serves every product.  One C call per
batch, rows split over `threads` threads without the GIL.  All arithmetic is exact mod 2^32.
"""
from __future__ import annotations

import numpy as np

from mpc.native import check, ffi, lib
from mpc.native.rsa_psi import default_threads

IMPLS = {"auto": 0, "portable": 1, "avx2": 2}


def has_avx2() -> bool:
    return bool(lib.mpc_pir_has_avx2())


def split_queries(queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q = lo + 2^16 hi (mod 2^32) with lo, hi signed 16-bit: the kernel's input form."""
    q = np.ascontiguousarray(queries, dtype=np.uint32)
    low = (q & 0xFFFF).astype(np.uint16)
    high = ((q >> 16) + (low >> 15)).astype(np.uint16)  # lo >= 2^15 becomes lo - 2^16: carry 1 up
    return low.view(np.int16), high.view(np.int16)


def matmul(matrix: np.ndarray, queries: np.ndarray, *, threads: int | None = None,
           impl: str = "auto") -> np.ndarray:
    """(k, rows) uint32: each of the k query rows (k, cols) times the (rows, cols) uint8 matrix, mod 2^32."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    queries = np.asarray(queries)
    if queries.ndim == 1:
        queries = queries.reshape(1, -1)
    if matrix.ndim != 2 or queries.ndim != 2 or queries.shape[1] != matrix.shape[1]:
        raise ValueError(f"matrix {matrix.shape} and queries {queries.shape} do not fit")
    lo, hi = split_queries(queries)
    return matmul_split(matrix, lo, hi, threads=threads, impl=impl)


def matmul_split(matrix: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, threads: int | None = None,
                 impl: str = "auto") -> np.ndarray:
    """As `matmul` with queries already split (`split_queries`), for a split reused across calls."""
    if impl not in IMPLS:
        raise ValueError(f"impl must be one of {', '.join(IMPLS)}")
    rows, cols = matrix.shape
    if lo.shape != hi.shape or lo.ndim != 2 or lo.shape[1] != cols or lo.dtype != np.int16 or hi.dtype != np.int16:
        raise ValueError("split queries must be two int16 arrays of shape (k, cols)")
    if not (matrix.flags.c_contiguous and lo.flags.c_contiguous and hi.flags.c_contiguous):
        raise ValueError("matrix and split queries must be C-contiguous")
    k = lo.shape[0]
    out = np.empty((k, rows), dtype=np.uint32)
    if out.size == 0:
        return out
    check(lib.mpc_pir_matmul(_ptr("uint8_t[]", matrix), rows, cols, _ptr("int16_t[]", lo), _ptr("int16_t[]", hi),
                             k, ffi.from_buffer("uint32_t[]", out, require_writable=True),
                             threads or default_threads(), IMPLS[impl]), "PIR matrix product")
    return out


def byte_planes(matrix: np.ndarray) -> np.ndarray:
    """(4, rows, cols) uint8: plane b holds byte b of each uint32 entry (M = sum_b 2^(8b) plane_b)."""
    m = np.ascontiguousarray(matrix, dtype="<u4")
    return np.ascontiguousarray(np.moveaxis(m.view(np.uint8).reshape(m.shape + (4,)), -1, 0))


def matmul_u32(planes: np.ndarray, queries: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """(k, rows) uint32: queries times the uint32 matrix whose `byte_planes` are given, mod 2^32."""
    queries = np.asarray(queries)
    if queries.ndim == 1:
        queries = queries.reshape(1, -1)
    lo, hi = split_queries(queries)
    total = np.zeros((queries.shape[0], planes.shape[1]), dtype=np.uint32)
    for b in range(4):
        part = matmul_split(planes[b], lo, hi, threads=threads)
        total += part << np.uint32(8 * b)
    return total


def _ptr(kind: str, array: np.ndarray):
    return ffi.from_buffer(kind, array) if array.size else ffi.NULL
