"""The server's preprocessed table: OPRF outputs, cuckoo placement, sealed entries, matrix and hint.

For PirServer (spec: protocols/pir.md, "Preprocessing").  Built once from the table's packed keys
and encoded values, then served to any number of clients.  Keys must be distinct (the caller says
which rows repeat a key; `DuplicateKeys` otherwise).  Holds the OPRF key (a P-256 scalar from the
OS CSPRNG, fresh for each preprocessing); never written anywhere.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from mpc.native import oprf
from mpc.pir import keyword, lwe, params
from mpc.prg import Prg
from mpc.psi.ids import PackedIds

PLACEMENT_TRIES = 32
OPRF_CHUNK = 1 << 14


class DuplicateKeys(ValueError):
    """Two table rows have the same key: PIR returns one row per key (protocols/pir.md)."""

    def __init__(self, first: int, second: int):
        super().__init__(f"rows {first} and {second} have the same key")
        self.first, self.second = first, second


def find_duplicate(ids: PackedIds) -> tuple[int, int] | None:
    """The first pair (i, j), i < j, of positions with equal encoded keys, if any."""
    seen: dict[bytes, int] = {}
    for j in range(len(ids)):
        key = ids[j]
        if key in seen:
            return seen[key], j
        seen[key] = j
    return None


@dataclass
class PirDatabase:
    geometry: params.Geometry
    matrix: np.ndarray             # (rows, cols) uint8, the sealed entries down the columns
    hint: np.ndarray               # (rows, n) uint32 = matrix · A
    a_seed: bytes
    place_seed: bytes
    key: bytes                     # the OPRF key
    table_rows: int
    key_columns: int
    value_columns: list[str]
    phases: dict[str, float] = field(default_factory=dict)
    normalization: str = "none"    # how the keys were normalised (mpc.psi.ids); both hellos carry it

    @classmethod
    def build(cls, ids: PackedIds, values: list[bytes], *, value_columns: list[str] | None = None,
              threads: int | None = None, progress=None, slots: int | None = None,
              key: bytes | None = None) -> "PirDatabase":
        """Preprocess: `values[i]` (encoded by keyword.encode_value) is the value of key `ids[i]`."""
        if len(values) != len(ids):
            raise ValueError("one value per key is needed")
        duplicate = find_duplicate(ids)
        if duplicate is not None:
            raise DuplicateKeys(*duplicate)
        progress = progress or (lambda phase, done, total: None)
        phases: dict[str, float] = {}
        tick = time.perf_counter()
        key = key or oprf.new_key()
        n = len(ids)
        f_rows = np.empty((n, keyword.OPRF_BYTES), dtype=np.uint8)
        for start in range(0, n, OPRF_CHUNK):
            stop = min(n, start + OPRF_CHUNK)
            f_rows[start:stop] = oprf.evaluate_own(key, ids.data, ids.batch(start, stop), threads=threads)
            progress("oprf", stop, n)
        now = time.perf_counter(); phases["oprf"] = now - tick; tick = now

        fs = [f_rows[i].tobytes() for i in range(n)]
        entry_bytes = keyword.entry_bytes_for(max((len(v) for v in values), default=0))
        rng = Prg()
        for attempt in range(PLACEMENT_TRIES):
            geometry = params.Geometry.choose(n, entry_bytes, slots=slots, grow=1.0 + 0.05 * (attempt // 4))
            place_seed = os.urandom(keyword.SEED_BYTES)
            choices = [keyword.candidate_columns(f, place_seed, geometry.cols) for f in fs]
            buckets = keyword.place(choices, geometry.cols, geometry.slots, rng)
            if buckets is not None:
                break
        else:  # pragma: no cover - needs PLACEMENT_TRIES failures at occupancy <= 0.85
            raise RuntimeError("cuckoo placement failed repeatedly")
        now = time.perf_counter(); phases["placement"] = now - tick; tick = now

        # Empty slots are random bytes: their tags match no key's (probability 2^-128 each).
        cells = np.frombuffer(bytearray(rng.bytes(geometry.capacity * entry_bytes)), dtype=np.uint8)
        cells = cells.reshape(geometry.capacity, entry_bytes)
        order = np.fromiter((item for items in buckets for item in items), dtype=np.int64, count=n)
        where = np.fromiter((column * geometry.slots + slot for column, items in enumerate(buckets)
                             for slot in range(len(items))), dtype=np.int64, count=n)
        if n:
            cells[where] = keyword.seal_many(fs, values, entry_bytes)[order]
        matrix = np.ascontiguousarray(cells.reshape(geometry.cols, geometry.rows).T)
        now = time.perf_counter(); phases["entries"] = now - tick; tick = now

        a_seed = os.urandom(16)
        hint = lwe.compute_hint(matrix, lwe.expand_a(a_seed, geometry.cols), threads=threads)
        phases["hint"] = time.perf_counter() - tick
        progress("hint", 1, 1)
        return cls(geometry, matrix, hint, a_seed, place_seed, key, n, ids.columns,
                   list(value_columns or []), phases, ids.normalization)
