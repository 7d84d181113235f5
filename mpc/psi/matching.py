"""Turning final hashes into the intersection, in the order both parties share.

For RsaPsiServer and RsaPsiClient (spec: protocols/psi-rsa.md, "Output order").  A final hash is 16
bytes; as numpy 'S16' scalars they sort bytewise, which is the shared order: matching rows are
ordered by the final hash of their identifier, then by their own row position.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mpc.psi.messages import HASH_BYTES


def as_keys(hashes: np.ndarray) -> np.ndarray:
    """(count, 16) uint8 rows as a 1-d 'S16' array (a view, no copy)."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint8)
    return hashes.view(f"S{HASH_BYTES}").reshape(-1)


def is_strictly_increasing(keys: np.ndarray) -> bool:
    return bool(keys.size < 2 or np.all(keys[1:] > keys[:-1]))


@dataclass
class PsiOutcome:
    """What one role learned.  `positions` are rows of the caller's own data in the shared order;
    `group_starts[j]` is where the rows of the j-th common identifier begin in `positions`."""
    role: str
    learned: bool
    rows: int
    distinct: int
    peer_rows: int
    intersection_size: int | None
    positions: np.ndarray
    group_starts: np.ndarray
    phases: dict = field(default_factory=dict)
    bytes_sent: int = 0
    bytes_received: int = 0
    rounds: int = 0

    @property
    def duplicates(self) -> int:
        """Rows whose identifier already occurred on an earlier row of the same data."""
        return self.rows - self.distinct

    @property
    def first_positions(self) -> np.ndarray:
        return self.positions[self.group_starts] if self.positions.size else self.positions


def ordered_matches(row_group: np.ndarray, matched_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions sorted by (group, row) and the start of each group; `row_group[r]` is the rank of
    row r's identifier in the shared hash order."""
    matched_rows = matched_rows.astype(np.int64, copy=False)
    if matched_rows.size == 0:
        return matched_rows, np.zeros(0, dtype=np.int64)
    groups = row_group[matched_rows]
    order = np.lexsort((matched_rows, groups))
    positions = matched_rows[order]
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_groups[1:] != sorted_groups[:-1])))
    return positions, starts.astype(np.int64)


def client_matches(own: np.ndarray, server_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, group_starts, matched server indices) for the client's row hashes `own`."""
    if own.size == 0 or server_sorted.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.uint64)
    index = np.searchsorted(server_sorted, own)
    clipped = np.minimum(index, server_sorted.size - 1)
    hit = (index < server_sorted.size) & (server_sorted[clipped] == own)
    rows = np.flatnonzero(hit)
    positions, starts = ordered_matches(index, rows)
    matched_server = np.unique(index[rows]).astype(np.uint64)
    return positions, starts, matched_server


def server_matches(inverse: np.ndarray, distinct: int, matched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, group_starts) given each own row's index into the sorted distinct hashes."""
    flag = np.zeros(distinct, dtype=bool)
    flag[matched.astype(np.int64)] = True
    rows = np.flatnonzero(flag[inverse]) if inverse.size else np.zeros(0, dtype=np.int64)
    return ordered_matches(inverse, rows)
