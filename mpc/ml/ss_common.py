"""Vertical logistic regression by additive secret sharing between guest and host (protocol "ss"):
what both roles share.  The roles are `SsGuest` (mpc/ml/ss_guest.py) and `SsHost` (ss_host.py).

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol ss".  Each party runs its role
with its own features (int64 at FEATURE_BITS, rows aligned); the guest also with labels.  The
weights of both parties' features and the intercept are additive shares over Z_2^64 all along.
Per mini-batch of B rows:

1. forward: z = X_g w_g + X_h w_h + b.  Each party multiplies its plaintext features by its own
   shares locally and by the peer's shares through `PlainProduct` (guest's X_g x host's share of
   w_g, then host's X_h x guest's share of w_h);
2. residual r = 4 (sigma~(z) - y): the hard sigmoid by a garbled circuit on the shares of z
   (mpc.ml.sigmoid), the guest subtracts 4y locally; times the guest's class weights through one
   more elementwise product when class_weight is set;
3. backward: X_g^T r and X_h^T r the same way (each party's plaintext X against the peer's share
   of r), the intercept's gradient is sum r;
4. update: one garbled-circuit job (mpc.ml.update) turns the shares of w and g into fresh shares of
   clip(w - lr (g / 4B + l2 w)).

Nothing is opened until the end, where each party receives the peer's shares of its own weights
(and the guest those of the intercept).  With tol, one bit per epoch (all weights moved <= tol)
is opened to both.
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint
from mpc.ml.ole import PlainProduct
from mpc.ml.party import TrainingParty
from mpc.ml.sigmoid import SharedSigmoid
from mpc.ml.update import SharedUpdate

TAG_SHARES = "ml:ss:shares"


def ring_matvec(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """x (int64 matrix) @ v (uint64 ring vector) mod 2^64."""
    with np.errstate(over="ignore"):
        return x.view(np.uint64) @ np.asarray(v, np.uint64)


class SsParty(TrainingParty):
    """What both roles of the ss protocol do; subclasses fix the order of the products.  `x` int64 (n, d) at FEATURE_BITS; guest: labels (n,) 0/1 and
    optional class weights (n,) int64 at CLASS_WEIGHT_BITS; `d_peer` the peer's feature count."""

    def __init__(self, session, x: np.ndarray, d_peer: int, params: dict, seed: bytes, **options):
        super().__init__(session, x, d_peer, params, seed, **options)
        timeout = self.timeout
        self.products = PlainProduct(self.channel, session.rng, session.id, self.me, timeout=timeout)
        self.update = SharedUpdate(self.channel, session.rng, self.me)
        self.sigmoid = SharedSigmoid(self.channel, session.rng, self.me, self.update.party)
        self.own = np.zeros(self.d, np.uint64)        # my share of my features' weights
        self.peer = np.zeros(self.d_peer, np.uint64)  # my share of the peer's features' weights
        self.intercept = np.zeros(1, np.uint64)
        self.stopped_early = False
        total = self.d + self.d_peer
        fixedpoint.check_budget(min(int(params["batch_size"]), self.n), total, self.weighted)

    # -- one mini-batch  -----------------
    def _forward(self, xb: np.ndarray) -> np.ndarray:
        """My share of z = X_g w_g + X_h w_h + b at 2^(FEATURE_BITS + WEIGHT_BITS)."""
        mine, theirs = self._cross_products(xb.T, self.peer, xb.shape[0])
        with np.errstate(over="ignore"):
            return (ring_matvec(xb, self.own) + mine + theirs
                    + (self.intercept[0] << np.uint64(fixedpoint.FEATURE_BITS)))

    def _backward(self, xb: np.ndarray, r: np.ndarray):
        """My shares of X_own^T r, X_peer^T r and of the intercept's gradient."""
        mine, peer = self._cross_products(xb, r, self.d_peer)
        with np.errstate(over="ignore"):
            own = (xb.T.view(np.uint64) @ r) + mine
            intercept = np.array([r.sum(dtype=np.uint64) << np.uint64(fixedpoint.FEATURE_BITS)], np.uint64)
        return own, peer, intercept

    def _cross_products(self, matrix, vector, width):
        """(my share of matrix x peer's vector, my share of peer's matrix x my vector)."""
        raise NotImplementedError

    def _residual(self, z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _layout(self, own, peer, intercept) -> np.ndarray:
        """Parameters in the public order: guest's features, host's features, intercept."""
        parts = (own, peer) if self.guest else (peer, own)
        return np.concatenate([*parts, intercept])

    def _split(self, vector: np.ndarray) -> None:
        d_guest = self.d if self.guest else self.d_peer
        first, second, self.intercept = vector[:d_guest], vector[d_guest:-1], vector[-1:].copy()
        self.own, self.peer = (first, second) if self.guest else (second, first)

    def _constants(self, rows: int):
        lr = float(self.params["learning_rate"])
        shift = fixedpoint.gradient_scale(self.weighted) - fixedpoint.WEIGHT_BITS
        c, t = fixedpoint.constant(lr / (4.0 * rows * 2.0 ** shift))
        l2 = float(self.params["l2"])
        c2, t2 = fixedpoint.constant(lr * l2) if l2 > 0 else (0, 0)
        return c, t, c2, t2

    def step(self, rows: np.ndarray) -> None:
        xb = self.x[rows]
        z = self._forward(xb)
        r = self._residual(z, rows)
        gradient = self._layout(*self._backward(xb, r))
        weights = self._layout(self.own, self.peer, self.intercept)
        decay = np.ones(weights.size, np.uint8)
        decay[-1] = 0
        self._split(self.update.step(weights, gradient, *self._constants(len(rows)), decay=decay))

    # -- training ------------------------------------------------------------------------------
    def run(self) -> dict:
        batch = int(self.params["batch_size"])
        tol = self.params.get("tol")
        for epoch in range(int(self.params["epochs"])):
            start = self._layout(self.own, self.peer, self.intercept)
            order = self.order(epoch)
            for first in range(0, self.n, batch):
                self.step(order[first:first + batch])
            self.epochs_run = epoch + 1
            if self.progress is not None:
                self.progress(self.epochs_run, int(self.params["epochs"]))
            if tol is not None and self.update.converged(self._layout(self.own, self.peer, self.intercept),
                                                         start, float(tol)):
                self.stopped_early = True
                break
        return self.reveal_own()

    def reveal_own(self) -> dict:
        """Each party gets its own features' weights (the guest also the intercept)."""
        outgoing = np.concatenate([self.peer, self.intercept]) if not self.guest else self.peer
        self.channel.send(TAG_SHARES, np.ascontiguousarray(outgoing))
        expected = self.d + (1 if self.guest else 0)
        incoming = self.channel.recv_exact(TAG_SHARES, np.uint64, (expected,))
        scale = float(1 << fixedpoint.WEIGHT_BITS)
        with np.errstate(over="ignore"):
            weights = (self.own + incoming[:self.d]).view(np.int64) / scale
            intercept = None
            if self.guest:
                intercept = float((self.intercept + incoming[self.d:]).view(np.int64)[0] / scale)
        return {"weights": weights, "intercept": intercept, "epochs_run": self.epochs_run,
                "stopped_early": self.stopped_early}
