"""The host's role in the ss protocol of vertical logistic regression: features only.

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol ss".  In every pair of products
the host receives first (the guest's features against its shares), then sends.
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint
from mpc.ml.ss_common import SsParty


class SsHost(SsParty):
    guest = False

    def _cross_products(self, matrix, vector, width):
        theirs = self.products.receive(vector, width)     # guest's features x my share
        mine = self.products.send(matrix)                 # my features x guest's share
        return mine, theirs

    def _residual(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """My share of r = 4 sigma~(z) (the guest holds -4y); with class weights, the guest's
        weights x my share."""
        r = self.sigmoid.residual_base(z, fixedpoint.residual_scale())
        if not self.weighted:
            return r
        return self.products.receive(r, 1, total=False)[:, 0]
