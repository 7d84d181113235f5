"""Named joint computations over a session: every party calls the same function with its own data
and gets the agreed result; nothing else about the other parties' data is revealed.

For users who want one call instead of SharedArray arithmetic.  Integers are exact; floats run in
fixed point (protocols/ss-additive.md gives the error).  Public by design: shapes, and for pooled
statistics the total number of observations.

    secure_sum(s, value)            sum over the parties of their arrays (elementwise)
    secure_mean(s, samples)         mean of all parties' observations pooled together
    secure_variance(s, samples)     population variance of the pooled observations
    dot(s, vector, owners=(0, 1))   inner product of party 0's and party 1's vectors
    matmul(s, matrix, owners=(0, 1))  product of party 0's and party 1's matrices
    millionaires(s, wealth)         which of two parties is richer (garbled circuits)
"""
from __future__ import annotations

import numpy as np

from mpc.errors import MpcError
from mpc.ss import api


def _contribute(session, value, *, fractional: bool | None = None):
    """Every party's `value` as a SharedArray, in party order (each party inputs its own)."""
    ctx = api.context(session)
    shared = []
    for owner in range(ctx.parties):
        mine = None
        if owner == ctx.me:
            mine = np.asarray(value)
            if fractional:
                mine = mine.astype(np.float64)
        shared.append(api.input(session, mine, owner=owner))
    return shared


def _total(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _floating(session, value) -> bool:
    """Whether any party contributes floats: one bit per party, opened (the encoding is public)."""
    ctx = api.context(session)
    mine = np.asarray(value).dtype.kind == "f"
    flags = ctx.open_sum("ss:compute-kind", np.array([1 if mine else 0], np.uint64))
    return bool(flags[0])


def secure_sum(session, value, *, to=None):
    """Elementwise sum of every party's `value` (same shape at all parties), revealed to `to`."""
    floating = _floating(session, value)
    return api.reveal(_total(_contribute(session, value, fractional=floating)), to=to)


def _pooled_count(session, samples) -> int:
    ctx = api.context(session)
    count = ctx.open_sum("ss:compute-count", np.array([np.asarray(samples).size], np.uint64))
    total = int(count[0])
    if total == 0:
        raise ValueError("no observations at any party")
    return total


def secure_mean(session, samples, *, to=None) -> float:
    """Mean of the observations of all parties together (each party may hold a different number)."""
    samples = np.asarray(samples, dtype=np.float64).ravel()
    count = _pooled_count(session, samples)
    total = _total(_contribute(session, np.array(samples.sum())))
    return api.reveal(total * (1.0 / count), to=to)


def secure_variance(session, samples, *, to=None) -> float:
    """Population variance of the pooled observations: E[x^2] - E[x]^2 on secret sums.

    Each party's local sum and sum of squares are its private inputs; one secret multiplication
    squares the pooled mean, and only the variance is revealed.  Fixed point: the pooled sum of
    squares times 2^(2f) / N must stay below 2^62 (sum of squares below 2^30 N for f = 16), and the
    truncation error bounds of protocols/ss-additive.md apply; scale the data down if needed.
    """
    samples = np.asarray(samples, dtype=np.float64).ravel()
    count = _pooled_count(session, samples)
    sums = _total(_contribute(session, np.array([samples.sum(), np.square(samples).sum()])))
    mean = sums[0] * (1.0 / count)
    return api.reveal(sums[1] * (1.0 / count) - mean * mean, to=to)


def _two_owner_inputs(session, value, owners):
    ctx = api.context(session)
    first, second = (int(o) for o in owners)
    if first == second or not (0 <= first < ctx.parties and 0 <= second < ctx.parties):
        raise ValueError(f"owners must be two different parties, not {owners}")
    x = api.input(session, value if ctx.me == first else None, owner=first)
    y = api.input(session, value if ctx.me == second else None, owner=second)
    return x, y


def dot(session, vector, *, owners=(0, 1), to=None):
    """Inner product of owners[0]'s and owners[1]'s vectors; other parties pass None and help."""
    x, y = _two_owner_inputs(session, vector, owners)
    return api.reveal(x.dot(y), to=to)


def matmul(session, matrix, *, owners=(0, 1), to=None):
    """owners[0]'s matrix @ owners[1]'s matrix with one matrix triple (one online round)."""
    x, y = _two_owner_inputs(session, matrix, owners)
    return api.reveal(x @ y, to=to)


def millionaires(session, wealth) -> int:
    """Yao's millionaires' problem for two parties: the id of the richer party (0 on a tie).

    Only the answer is revealed; the comparison runs in a garbled circuit on the shares.
    """
    ctx = api.context(session)
    if ctx.parties != 2:
        raise MpcError("millionaires compares two parties through garbled circuits; "
                       f"this session has {ctx.parties}")
    x, y = _two_owner_inputs(session, np.asarray(wealth), (0, 1))
    return int(api.reveal(x < y))
