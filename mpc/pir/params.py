"""SimplePIR parameters, the database geometry and the correctness bound (spec: protocols/pir.md).

For the PIR roles and the spec's tests.  LWE: dimension n = 1024, modulus q = 2^32, secret uniform
in Z_q^n, error from the discrete Gaussian D_{Z,sigma} with sigma = 6.4 (SimplePIR's parameters,
Henzinger et al., USENIX Security 2023), at most 2^18 LWE samples (= database columns) per secret.
Plaintext modulus p = 256: one database byte per matrix entry, Delta = q / p = 2^24.

Correctness: the client recovers Delta * d + <row, e> and rounds; it fails only when the error
|<row, e>| reaches Delta / 2.  D_{Z,sigma} is sub-Gaussian with parameter s = sigma * sqrt(2 pi)
(Micciancio-Peikert 2012, Lemma 2.8), so for a row of bytes (each <= 255) over c columns
P(|<row, e>| >= Delta/2) <= 2 exp(-pi (Delta/2)^2 / (s^2 * 255^2 * c)); a union bound over the r
rows of an answer gives `failure_log2(r, c)`, which `Geometry` keeps <= -41 (each keyword lookup
makes two index queries: <= 2^-40 per lookup).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LWE_N = 1024
LOG_Q = 32
SIGMA = 6.4
P_BITS = 8
DELTA = 1 << (LOG_Q - P_BITS)
MAX_COLUMNS = 1 << 18          # LWE samples per secret; also bounds the error (failure_log2)
MAX_ROWS = 1 << 20
FAILURE_LOG2_LIMIT = -41.0
ERROR_TAIL = 64                # |e| <= 64 = 10 sigma: the cut-off mass is below 2^-70
TAG_BYTES = 16
LENGTH_BYTES = 4
LOAD = 0.85                    # cuckoo occupancy target (2 choices, buckets of >= 4 slots)
MIN_SLOTS = 4


def failure_log2(rows: int, cols: int) -> float:
    """log2 of the bound on one index query's decoding failure (any of `rows` outputs wrong)."""
    if cols == 0 or rows == 0:
        return -math.inf
    s2 = SIGMA * SIGMA * 2 * math.pi
    exponent = math.pi * (DELTA / 2) ** 2 / (s2 * 255 * 255 * cols)
    return math.log2(2 * rows) - exponent / math.log(2)


@dataclass(frozen=True)
class Geometry:
    """The database matrix: `cols` cuckoo buckets (one column each) of `slots` entries of
    `entry_bytes`, stacked down the column, so `rows = slots * entry_bytes`."""
    cols: int
    slots: int
    entry_bytes: int

    @property
    def rows(self) -> int:
        return self.slots * self.entry_bytes

    @property
    def capacity(self) -> int:
        return self.cols * self.slots

    @property
    def matrix_bytes(self) -> int:
        return self.rows * self.cols

    def check(self) -> None:
        if not (1 <= self.cols <= MAX_COLUMNS and self.slots >= 1 and self.entry_bytes > TAG_BYTES + LENGTH_BYTES - 1
                and self.rows <= MAX_ROWS):
            raise ValueError(f"PIR geometry {self} is outside the supported range "
                             f"(<= {MAX_COLUMNS} columns, <= {MAX_ROWS} rows)")
        if failure_log2(self.rows, self.cols) > FAILURE_LOG2_LIMIT:
            raise ValueError(f"PIR geometry {self} would fail with probability above 2^{FAILURE_LOG2_LIMIT:g}")

    @classmethod
    def choose(cls, entries: int, entry_bytes: int, *, slots: int | None = None, grow: float = 1.0) -> "Geometry":
        """A near-square matrix (rows ~ cols, which minimises query plus answer size) holding
        `entries` at occupancy <= LOAD; `grow` > 1 adds columns after a failed placement."""
        if slots is None:
            slots = round(math.sqrt(max(entries, 1) / (LOAD * entry_bytes)))
        slots = max(MIN_SLOTS, slots)
        cols = max(1, math.ceil(grow * entries / (LOAD * slots)))
        if entries < 4096:  # small tables: the occupancy fluctuates more, leave room
            cols += 1 + entries // 64
        geometry = cls(cols, slots, entry_bytes)
        geometry.check()
        return geometry


def _error_cdf() -> np.ndarray:
    """Thresholds (uint64, scaled by 2^64) of the CDF of D_{Z,sigma} on [-ERROR_TAIL, ERROR_TAIL]."""
    xs = np.arange(-ERROR_TAIL, ERROR_TAIL + 1, dtype=np.float64)
    weights = np.exp(-xs * xs / (2 * SIGMA * SIGMA))
    cdf = np.cumsum(weights) / weights.sum()
    scaled = [min(int(v * 2.0 ** 64), 2 ** 64 - 1) for v in cdf[:-1]]
    return np.array(scaled, dtype=np.uint64)


_CDF = _error_cdf()


def sample_errors(rng, count: int) -> np.ndarray:
    """`count` samples of D_{Z,sigma} (truncated at 10 sigma) as uint32 mod 2^32, from `rng`'s uint64."""
    u = rng.uint64(count)
    index = np.searchsorted(_CDF, u, side="right")   # number of thresholds <= u
    return (index.astype(np.int64) - ERROR_TAIL).astype(np.uint32)
