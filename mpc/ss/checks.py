"""Self-checks of the fixed-point guarantees at the edge of the documented range.

For tests/test_ss_fixed_point.py (10^5 products) and benchmarks/fixed_point_edge.py (10^7 products,
the count printed): random reals x, y with |x y| just below 2^40 (the range of reals with the
defaults, protocols/ss-additive.md "Fixed point") are multiplied through the real protocol, and each
opened product is compared exactly, in Z_2^128, with floor(X Y / 2^f) for the encodings X, Y.  The
allowed truncation error is [0, 1] units in the last place (local truncation, two parties: SecureML
gives floor or floor + 1, or with probability 2^-47 garbage) or [0, n] (masked opening).
Anything outside is counted as wrong.
"""
from __future__ import annotations

import numpy as np

from mpc.ss import api
from mpc.ss.ring import RING128


def edge_operands(rng, count: int, range_bits: int = 40):
    """x, y with |x y| in [2^(range_bits - 1.2), 2^range_bits): exponents split at random between
    the two operands (from 2^0 x 2^40 to 2^40 x 2^0), random signs."""
    words = rng.uint64(4 * count).reshape(4, count)
    unit = (words >> np.uint64(11)).astype(np.float64) / float(1 << 53)        # uniform [0, 1)
    split = unit[0] * (range_bits - 1)                                          # log2 |x|
    shrink = 0.999 * (1.0 - 0.5 * unit[1])                                      # |x y| / 2^R in (0.4995, 0.999]
    sign_x = np.where(unit[2] < 0.5, -1.0, 1.0)
    sign_y = np.where(unit[3] < 0.5, -1.0, 1.0)
    x = sign_x * np.exp2(split)
    y = sign_y * np.exp2(range_bits - split) * shrink
    return x, y


def products_at_edge(session, count: int, chunk: int = 1_000_000) -> dict:
    """Every party calls this; party 0 holds x and party 1 holds y.  Returns the counts of products
    whose truncation error lies outside the stated bound, and the bound, at every party."""
    from mpc.prg import SEED_BYTES, Prg
    ctx = api.context(session)
    f = ctx.fractional_bits
    params = ctx.real_params()
    allowed = ctx.parties if ctx.masked_truncation() else 1
    wrong = checked = 0
    worst = 0
    # The two owners draw x and y from one stream (a seed party 0 sends party 1 in the clear: this is
    # a test harness), so that each pair (x, y) has |x y| at the edge.
    seed = None
    if ctx.me == 0:
        seed = bytes(session.rng.bytes(SEED_BYTES))
        ctx.channel(1).send("ss:check-seed", seed)
    elif ctx.me == 1:
        seed = bytes(ctx.channel(0).recv_bytes("ss:check-seed", SEED_BYTES))
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        x = y = None
        if ctx.me in (0, 1):
            x, y = edge_operands(Prg(seed).derive(f"chunk-{start}"), n, params.range_bits)
            if not np.all(np.abs(x * y) < 2.0 ** params.range_bits):    # the harness checks itself
                raise AssertionError("edge operands outside the documented range")
        sx = api.input(session, x if ctx.me == 0 else None, owner=0)
        sy = api.input(session, y if ctx.me == 1 else None, owner=1)
        opened = ctx.open_sum("ss:check", (sx * sy).share, to=[0])
        ex = ctx.open_sum("ss:check", sx.share, to=[0])          # the encodings X, Y (checker only)
        ey = ctx.open_sum("ss:check", sy.share, to=[0])
        if ctx.me == 0:
            exact = RING128.shr(RING128.mul(ex, ey), f)             # floor(X Y / 2^f), |X Y| < 2^80
            error = RING128.to_int(RING128.sub(opened, exact))
            error = np.asarray(error, dtype=object if error.dtype == object else np.int64)
            bad = (error < 0) | (error > allowed)
            wrong += int(np.count_nonzero(bad))
            worst = max(worst, int(np.max(np.abs(error))) if error.size else 0)
            checked += n
    return {"parties": ctx.parties, "products": count, "checked": checked, "wrong": wrong,
            "allowed_ulps": allowed, "worst_ulps": worst, "fractional_bits": f,
            "range_bits": params.range_bits, "truncation": "masked" if ctx.masked_truncation() else "local"}
