"""The host's role in the ss protocol of vertical logistic regression: features only.

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol ss".  In every pair of products
both directions of each pair run at once (`PlainProduct.exchange`).
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint
from mpc.ml.ss_common import SsParty


class SsHost(SsParty):
    guest = False

    def _cross_products(self, matrix, vector, width):
        return self.products.exchange(matrix, vector, width)   # both directions at once

    def _residual(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """My share of r = 4 sigma~(z) (the guest holds -4y); with class weights, the guest's
        weights x my share."""
        r = self.sigmoid.residual_base(z, fixedpoint.residual_scale())
        if not self.weighted:
            return r
        return self.products.receive(r, 1, total=False)[:, 0]
