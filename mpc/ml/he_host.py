"""The host's role in the he protocol of vertical logistic regression: features only.

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol he".
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint
from mpc.ml.he_common import HeParty
from mpc.ml.he_guest import TAG_CLASS, TAG_CLASS_BACK
from mpc.ml.paillier import decrypt


class HeHost(HeParty):
    guest = False

    def _residual(self, z, rows):
        z = np.array(self.sigmoid.residual_base_integer(list(z), fixedpoint.residual_scale()), dtype=object)
        if not self.weighted:
            return z
        count = len(rows)
        self.channel.send(TAG_CLASS, self.mine.pack(self.mine.encrypt([int(v) for v in z])))
        raw = self.channel.recv_bytes(TAG_CLASS_BACK, count * self.mine.bytes, timeout=self.timeout)
        return np.array(decrypt(self.secret, self.mine.unpack(raw, count), self.mine), dtype=object)
