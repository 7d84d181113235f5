"""Each party's standardisation of its own features (it never leaves the party except in its own
model file, or with reveal_model).  For mpc.ml.estimator.  Spec: protocols/lr-vertical.md.

x_std = clip((x - mean) / scale, -FEATURE_CLIP, FEATURE_CLIP); scale is the population standard
deviation of the training column (1 for a constant column).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mpc.errors import InputError
from mpc.ml.fixedpoint import FEATURE_CLIP


@dataclass
class Standardiser:
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> "Standardiser":
        x = as_features(x)
        if x.shape[0] == 0:
            raise InputError("no training rows")
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[~(scale > 0)] = 1.0
        return cls(mean, scale)

    def transform(self, x: np.ndarray) -> tuple[np.ndarray, int]:
        """(standardised and clipped features, number of clipped values)."""
        x = as_features(x)
        if x.shape[1] != self.mean.size:
            raise InputError(f"{x.shape[1]} feature columns given, the model has {self.mean.size}")
        z = (x - self.mean) / self.scale
        clipped = int(np.count_nonzero(np.abs(z) > FEATURE_CLIP))
        return np.clip(z, -FEATURE_CLIP, FEATURE_CLIP), clipped


def as_features(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2:
        raise InputError(f"features must be a 2-D array, not shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise InputError("features contain NaN or infinite values")
    return x
