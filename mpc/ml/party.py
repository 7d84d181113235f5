"""What every training role of vertical logistic regression holds, whatever the protocol: its
session and channel, its encoded features, the agreed parameters, the labels (guest), and the
public batch order.  For mpc.ml.ss_common and mpc.ml.he_common (spec: protocols/lr-vertical.md).
"""
from __future__ import annotations

import numpy as np


class TrainingParty:
    guest = False

    def __init__(self, session, x: np.ndarray, d_peer: int, params: dict, seed: bytes, *,
                 labels=None, sample_weights=None, progress=None, timeout=None):
        self.session = session
        self.me = session.me
        self.channel = session.channel(1 - session.me)
        self.timeout = timeout
        self.x = np.ascontiguousarray(x, dtype=np.int64)
        self.n, self.d = self.x.shape
        self.d_peer = int(d_peer)
        self.params = params
        self.weighted = params.get("class_weight") is not None
        self.labels = None if labels is None else np.asarray(labels, np.int64)
        self.sample_weights = None if sample_weights is None else np.asarray(sample_weights, np.int64)
        self.seed = seed
        self.progress = progress
        self.epochs_run = 0

    def order(self, epoch: int) -> np.ndarray:
        """The public order of the rows in `epoch`: argsort of a PRG stream from the joint seed."""
        from mpc.prg import Prg
        return np.argsort(Prg(self.seed).derive(f"epoch-{epoch}").uint64(self.n), kind="stable")
