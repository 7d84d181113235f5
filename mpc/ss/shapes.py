"""numpy's joining functions for SharedArrays: `concatenate` and `stack` (local, no messages).

For users, as `mpc.ss.concatenate` / `mpc.ss.stack`.  The arrays must belong to one session and
share kind and ring; fixed-point scales are aligned to the largest (a local shift).  A shape numpy
cannot join raises `mpc.errors.ShapeError` naming the shapes.  Spec: protocols/ss-additive.md.
"""
from __future__ import annotations

import numpy as np

from mpc.errors import ShapeError
from mpc.ss.array import SHAMIR, SharedArray


def _joinable(arrays, op: str) -> list:
    arrays = list(arrays)
    if not arrays:
        raise ValueError(f"{op} needs at least one array")
    first = arrays[0]
    if not all(isinstance(a, SharedArray) for a in arrays):
        raise TypeError(f"{op} joins SharedArrays (share public parts first)")
    for a in arrays[1:]:
        first._check_secret(a, op)
    bits = max(a.fractional_bits for a in arrays)
    return [a._rescaled(bits) if a.kind != SHAMIR else a for a in arrays]


def concatenate(arrays, axis: int = 0) -> SharedArray:
    """numpy.concatenate for SharedArrays of one session, kind and ring (scales are aligned)."""
    arrays = _joinable(arrays, "concatenate")
    try:
        joined = np.concatenate([a.share for a in arrays], axis=axis)
    except ValueError:
        raise ShapeError(f"cannot concatenate shapes {[a.shape for a in arrays]} along axis {axis}") from None
    return arrays[0]._new(joined)


def stack(arrays, axis: int = 0) -> SharedArray:
    """numpy.stack for SharedArrays of one session, kind and ring (scales are aligned)."""
    arrays = _joinable(arrays, "stack")
    try:
        joined = np.stack([a.share for a in arrays], axis=axis)
    except ValueError:
        raise ShapeError(f"cannot stack shapes {[a.shape for a in arrays]}") from None
    return arrays[0]._new(joined)
