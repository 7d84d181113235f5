"""The guest's role in the he protocol of vertical logistic regression: it holds the labels.

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol he".
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint, sigmoid
from mpc.ml.he_common import HeParty

TAG_CLASS = "ml:he:class"
TAG_CLASS_BACK = "ml:he:class-back"


class HeGuest(HeParty):
    guest = True

    def _residual(self, z, rows):
        scale = fixedpoint.residual_scale()
        base = self.sigmoid.residual_base_integer([int(v) + sigmoid.offset(scale) for v in z], scale)
        r = np.array(base, dtype=object) + sigmoid.label_term(self.labels[rows], scale).astype(object)
        if not self.weighted:
            return r
        # the host's share times my class weights: Enc_H(r_H)^s * Enc_H(-mask), masks my share
        count = len(rows)
        s = self.sample_weights[rows]
        raw = self.channel.recv_bytes(TAG_CLASS, count * self.theirs.bytes, timeout=self.timeout)
        n2 = self.theirs.n2
        product = [pow(c, int(w), n2) for c, w in zip(self.theirs.unpack(raw, count), s)]
        masks = self._mask(count, self.bounds.class_bits)
        self.channel.send(TAG_CLASS_BACK, self.theirs.pack(self._masked(product, masks)))
        return r * s.astype(object) + np.array(masks, dtype=object)
