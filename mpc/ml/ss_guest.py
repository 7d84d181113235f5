"""The guest's role in the ss protocol of vertical logistic regression: it holds the labels.

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol ss".  In every pair of products
both directions of each pair run at once (`PlainProduct.exchange`).
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint, sigmoid
from mpc.ml.ss_common import SsParty


class SsGuest(SsParty):
    guest = True

    def _cross_products(self, matrix, vector, width):
        return self.products.exchange(matrix, vector, width)   # both directions at once

    def _residual(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """r = 4 (sigma~(z) - y) at 2^(FEATURE_BITS + WEIGHT_BITS), times the class weights if set."""
        scale = fixedpoint.residual_scale()
        with np.errstate(over="ignore"):
            base = self.sigmoid.residual_base(z + np.uint64(sigmoid.offset(scale)), scale)
            r = base + sigmoid.label_term(self.labels[rows], scale).view(np.uint64)
            if not self.weighted:
                return r
            s = self.sample_weights[rows]
            return r * s.view(np.uint64) + self.products.send(s.reshape(-1, 1), total=False)[:, 0]
