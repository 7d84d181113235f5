"""Fixed-point scales and the magnitude budget of the ss protocol of vertical logistic regression.

For mpc.ml.ss_guest / ss_host and mpc.ml.update (spec: protocols/lr-vertical.md, "Numbers").
Features (standardised, clipped to |x| <= FEATURE_CLIP) carry FEATURE_BITS fractional bits,
weights WEIGHT_BITS, class weights (normalised to max 1) CLASS_WEIGHT_BITS.  Products of
features and shared weights are never truncated: every intermediate is an exact integer, and
`check_budget` proves before training that none can exceed 2^62 in magnitude (so the shares, which
are uniform in Z_2^64, sum to it exactly and the garbled-circuit update may read it as a signed
64-bit value).  The one rounding per step happens inside the garbled circuit (mpc.ml.update),
deterministically.  No probabilistic truncation, no failure probability.
"""
from __future__ import annotations

import math

import numpy as np

from mpc.errors import ConfigError

FEATURE_BITS = 8           # standardised features to 2^-8 (quantisation error <= 2^-9 per value)
WEIGHT_BITS = 16           # weights and intercept to 2^-16
CLASS_WEIGHT_BITS = 6      # class weights / max class weight to 2^-6 (when class_weight is set)
FEATURE_CLIP = 8.0         # |standardised feature| <= 8 (values beyond are clipped, and counted)
WEIGHT_CLIP = 16.0         # |weight| <= 16 on the standardised scale (the update saturates there)
BUDGET_BITS = 62
CONSTANT_BITS = 16         # learning-rate constants of the update have 16 significant bits


def encode_features(x: np.ndarray) -> np.ndarray:
    """Standardised features (already clipped) as int64 with FEATURE_BITS fractional bits."""
    return np.rint(np.asarray(x, dtype=np.float64) * (1 << FEATURE_BITS)).astype(np.int64)


def residual_scale() -> int:
    """Fractional bits of z and of the residual 4(sigma(z) - y) (features x weights)."""
    return FEATURE_BITS + WEIGHT_BITS


def gradient_scale(weighted: bool) -> int:
    """Fractional bits of the integer gradient X^T r (features x residual x class weight)."""
    return 2 * FEATURE_BITS + WEIGHT_BITS + (CLASS_WEIGHT_BITS if weighted else 0)


FEATURE_OFFSET_BITS = math.ceil(math.log2(FEATURE_CLIP)) + FEATURE_BITS   # |encoded feature| <= 2^this
RESIDUAL_BOUND = 4.0       # r = 4 (sigma~(z) - y) lies in [-4, 4]


def z_bound_bits(features: int) -> float:
    """log2 of the largest |integer z + 2| (the hard-sigmoid circuit reads it as signed 64-bit):
    |z| <= d * FEATURE_CLIP * WEIGHT_CLIP + WEIGHT_CLIP (features clipped, weights saturated)."""
    return math.log2(features * FEATURE_CLIP * WEIGHT_CLIP + WEIGHT_CLIP + 2.0) + residual_scale()


def gradient_bound_bits(batch: int, features: int, weighted: bool) -> float:
    """log2 of the largest |integer gradient| any batch can produce: |g| <= B * FEATURE_CLIP * 4
    (class weights are at most 1), at 2^gradient_scale."""
    return math.log2(batch * FEATURE_CLIP * RESIDUAL_BOUND) + gradient_scale(weighted)


def check_budget(batch: int, features: int, weighted: bool) -> None:
    """Raise ConfigError when a batch of this size over this many features could overflow."""
    if z_bound_bits(features) > BUDGET_BITS:
        raise ConfigError(f"{features} features are too many for the 2^{BUDGET_BITS} range of the ss protocol")
    bits = gradient_bound_bits(batch, features, weighted)
    if bits > BUDGET_BITS:
        largest = batch
        while largest > 1 and gradient_bound_bits(largest, features, weighted) > BUDGET_BITS:
            largest //= 2
        raise ConfigError(f"batch size {batch} over {features} features could exceed the 2^{BUDGET_BITS} "
                          f"range of the ss protocol (2^{bits:.1f}); use --batch-size {largest} or less")


def constant(value: float) -> tuple[int, int]:
    """(c, t) with c / 2^t = value to CONSTANT_BITS significant bits, 2^(CONSTANT_BITS-1) <= c < 2^CONSTANT_BITS."""
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"constant must be positive and finite, not {value}")
    t = CONSTANT_BITS - 1 - math.floor(math.log2(value))
    c = round(value * 2.0 ** t)
    if c >= 1 << CONSTANT_BITS:
        t -= 1
        c = round(value * 2.0 ** t)
    if t < 0:
        raise ValueError(f"constant {value} is too large")
    return int(c), int(t)
