"""The sigmoid approximation used inside training, and the exact one used for scores.

For mpc.ml.ss_* and mpc.ml.he_* (spec: protocols/lr-vertical.md, "Sigmoid").  Training uses the
first-order Taylor polynomial of the logistic function at 0 (as FATE's SSHE-LR and Hardy et al.
2017 do):

    sigma(z) ~ 1/2 + z/4,   |sigma(z) - (1/2 + z/4)| <= |z|^3 / 48,
    max error 0.0208 on |z| <= 1, 0.119 at |z| = 2, 0.34 at |z| = 4, growing as |z|/4 beyond.

Its gradient residual sigma(z) - y is affine in z, so on shares it is exact integer arithmetic
(residual_offset): the protocols compute r = 4 (sigma~(z) - y) = z + 2 - 4y and fold the 1/4 into
the learning rate.  Training therefore minimises the quadratic surrogate
log 2 + (1/2 - y) z + z^2 / 8 of the logistic loss (its second-order Taylor expansion), which ranks
rows as logistic regression does on standardised data (tests/test_ml_accuracy.py: AUC within 0.01 of
scikit-learn).  Scores at prediction are the exact logistic function of the linear score (the
parties know the score's owner; no approximation is needed there).

To use a better secret sigmoid later (a clipped minimax polynomial or piecewise form on
SharedArray), replace `residual_offset` users with a call on shares; the ss protocol then needs a
truncation of the product, which the 128-bit ring makes sound.
"""
from __future__ import annotations

import numpy as np

SLOPE = 0.25
INTERCEPT = 0.5
NAME = "taylor-1"


def approximate(z):
    """The training approximation 1/2 + z/4 (plaintext, for reference and tests)."""
    return INTERCEPT + SLOPE * np.asarray(z, dtype=np.float64)


def error_bound(radius: float) -> float:
    """max over |z| <= radius of |sigma(z) - (1/2 + z/4)| (attained at the radius)."""
    r = float(radius)
    return abs(logistic(r) - (INTERCEPT + SLOPE * r))


def logistic(z):
    """The exact logistic function, numerically stable, for scores."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def residual_offset(labels: np.ndarray, scale_bits: int) -> np.ndarray:
    """The guest's additive term of r = 4 (sigma~(z) - y) at 2^scale_bits: (2 - 4y) 2^scale_bits as
    int64 (the shared z is added by the protocol)."""
    y = np.asarray(labels, dtype=np.int64)
    return (2 - 4 * y) << scale_bits
