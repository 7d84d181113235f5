"""SimplePIR (Henzinger et al., USENIX Security 2023) over a uint8 matrix: the index-PIR layer.

For PirServer and PirClient (spec: protocols/pir.md, "Index PIR (SimplePIR)").  Pure functions and two small
state holders, no I/O.  The public matrix A (cols x n, uniform mod 2^32) is expanded from a 16-byte
seed by the AES-CTR PRG; the server's hint is D·A (rows x n).  A query for column j is
A·s + e + Delta·u_j (mod 2^32) with a fresh uniform secret s and Gaussian error e; the answer is
D·query, and the client reads column j as round((answer - hint·s) / Delta) mod 256.
"""
from __future__ import annotations

import numpy as np

from mpc.native import pir as kernels
from mpc.pir import params
from mpc.prg import Prg


def expand_a(seed: bytes, cols: int) -> np.ndarray:
    """The public matrix A, (cols, n) uint32, from its seed (the same on both sides)."""
    raw = Prg(seed).bytes(4 * cols * params.LWE_N)
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32, copy=False).reshape(cols, params.LWE_N)


def compute_hint(matrix: np.ndarray, a: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """hint = D·A mod 2^32, (rows, n) uint32: A's columns are n queries of the matrix kernel."""
    a_t = np.ascontiguousarray(a.T)
    return np.ascontiguousarray(kernels.matmul(matrix, a_t, threads=threads).T)


def answer(matrix: np.ndarray, queries: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """The server's answers D·query for each query row (k, cols) -> (k, rows) uint32."""
    return kernels.matmul(matrix, queries, threads=threads)


class QueryMaker:
    """The client's side: A's and the hint's byte planes, kept for the whole session."""

    def __init__(self, a: np.ndarray, hint: np.ndarray, rng=None):
        self.cols = a.shape[0]
        self.rows = hint.shape[0]
        self._a_planes = kernels.byte_planes(a)        # A·s through four uint8 products
        self._hint_planes = kernels.byte_planes(hint)
        self.rng = rng if rng is not None else Prg()

    def queries(self, columns: np.ndarray, *, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(queries (k, cols) uint32 to send, secrets (k, n) uint32 to keep) for the wanted columns."""
        columns = np.asarray(columns, dtype=np.int64).reshape(-1)
        k = columns.size
        if k and (columns.min() < 0 or columns.max() >= self.cols):
            raise ValueError("a wanted column is outside the matrix")
        secrets = np.frombuffer(self.rng.bytes(4 * k * params.LWE_N), dtype="<u4").astype(np.uint32)
        secrets = secrets.reshape(k, params.LWE_N)
        out = kernels.matmul_u32(self._a_planes, secrets, threads=threads) if k else np.zeros((0, self.cols), np.uint32)
        out += params.sample_errors(self.rng, k * self.cols).reshape(k, self.cols)
        out[np.arange(k), columns] += np.uint32(params.DELTA)
        return out, secrets

    def decode(self, answers: np.ndarray, secrets: np.ndarray, *, threads: int | None = None) -> np.ndarray:
        """(k, rows) uint8: the wanted column of the matrix for each answer."""
        if not len(secrets):
            return np.zeros((0, self.rows), dtype=np.uint8)
        noisy = answers - kernels.matmul_u32(self._hint_planes, secrets, threads=threads)
        return ((noisy + np.uint32(params.DELTA // 2)) >> np.uint32(32 - params.P_BITS)).astype(np.uint8)
