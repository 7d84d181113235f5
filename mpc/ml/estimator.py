"""`VerticalLogisticRegression`: logistic regression on rows split by columns between two parties,
shaped like scikit-learn (`fit`, `decision_function`, `predict_proba`, `predict`, `score`).

For users with a two-party `mpc.Session` (and `mpc lr`).  The guest holds the labels and some
features, the host other features of the same rows in the same order (as `mpc psi` writes them).
Both parties construct the estimator with the same parameters and call the same methods; the guest
passes y to fit.  Each party standardises its own features and keeps its part of the model; the
scores of `decision_function` / `predict_proba` go to the guest (None at the host).
Protocols: "ss" (default; secret sharing with OT, mpc.ml.ss_guest / ss_host) and "he" (Paillier
with secret sharing, mpc.ml.he_guest / he_host).  Spec: protocols/lr-vertical.md.

    def job(session):
        X, y = (X_bank, y_bank) if session.me == 0 else (X_invoices, None)
        model = VerticalLogisticRegression(session, epochs=5).fit(X, y)
        return model.predict_proba(X)           # guest: (n, 2) probabilities, host: None
"""
from __future__ import annotations

import time

import numpy as np

from mpc.errors import ConfigError, InputError
from mpc.ml import fixedpoint, link, model as model_files, sigmoid
from mpc.ml.scaling import Standardiser, as_features

PROTOCOLS = ("ss", "he")
TAG_SCORES = "ml:scores"
MAX_SCORE_ROWS = 1 << 27


class VerticalLogisticRegression:
    """Mini-batch SGD with L2, class weights and early stopping, jointly with the peer of `session`."""

    def __init__(self, session=None, *, protocol: str = "ss", epochs: int = 5, batch_size: int = 1024,
                 learning_rate: float = 0.1, l2: float = 1e-3, tol: float | None = None, class_weight=None,
                 key_bits: int = 2048, timeout: float | None = None, progress=None, agree: dict | None = None):
        if protocol not in PROTOCOLS:
            raise ConfigError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
        if int(epochs) < 1 or int(batch_size) < 1:
            raise ConfigError("epochs and batch_size must be at least 1")
        if not float(learning_rate) > 0 or not float(l2) >= 0:
            raise ConfigError("learning_rate must be positive and l2 non-negative")
        if tol is not None and not float(tol) > 0:
            raise ConfigError("tol must be positive (or None)")
        if class_weight not in (None, "balanced") and not isinstance(class_weight, dict):
            raise ConfigError("class_weight must be None, 'balanced' or a dict {0: w0, 1: w1}")
        self.session = session
        self.protocol = protocol
        self.epochs = int(epochs)
        self.batch_size = int(batch_size)
        self.learning_rate = float(learning_rate)
        self.l2 = float(l2)
        self.tol = None if tol is None else float(tol)
        self.class_weight = class_weight
        self.key_bits = int(key_bits)
        self.timeout = timeout
        self.progress = progress
        self.agree = dict(agree or {})     # more options both parties must pass (e.g. the CLI's)
        self.model_ = None

    # -- parameters ----------------------------------------------------------------------------
    def public_params(self) -> dict:
        """What both parties must agree on (checked at fit)."""
        return {"epochs": self.epochs, "batch_size": self.batch_size, "learning_rate": self.learning_rate,
                "l2": self.l2, "tol": self.tol, "class_weight": None if self.class_weight is None else "set",
                "key_bits": self.key_bits if self.protocol == "he" else None, **self.agree}

    def _session(self):
        if self.session is None:
            raise ConfigError("give the estimator a two-party mpc.Session")
        if self.session.parties != 2:
            raise ConfigError("vertical logistic regression runs between exactly two parties")
        return self.session

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y=None, *, feature_names=None, ids=None) -> "VerticalLogisticRegression":
        """Train jointly; the guest passes its labels y (0/1), the host y=None."""
        session = self._session()
        role = "guest" if y is not None else "host"
        x = as_features(X)
        labels = self._labels(y, x.shape[0]) if role == "guest" else None
        scaler = Standardiser.fit(x)
        x_std, clipped = scaler.transform(x)
        channel = session.channel(1 - session.me)
        before = _traffic(session)
        started = time.perf_counter()
        peer = link.hello(channel, role=role, protocol=self.protocol, rows=x.shape[0], features=x.shape[1],
                          params=self.public_params(), ids_digest=None if ids is None else link.ids_digest(ids),
                          stage="fit", timeout=self.timeout)
        seed = link.joint_seed(channel, session.rng, session.me, timeout=self.timeout)
        params = self.public_params()
        weights = self._sample_weights(labels) if role == "guest" and self.class_weight is not None else None
        trainer = self._trainer(session, role, x_std, peer["features"], params, seed, labels, weights)
        result = trainer.run()
        names = list(feature_names) if feature_names is not None else [f"x{i}" for i in range(x.shape[1])]
        if len(names) != x.shape[1]:
            raise ConfigError(f"{len(names)} feature names for {x.shape[1]} columns")
        self.model_ = model_files.model_dict(
            role=role, protocol=self.protocol, features=names, mean=scaler.mean, scale=scaler.scale,
            weights=result["weights"], intercept=result["intercept"], peer_features=peer["features"],
            rows=x.shape[0], params=params, sigmoid=sigmoid.NAME)
        after = _traffic(session)
        self.fit_stats_ = {"seconds": time.perf_counter() - started, "epochs_run": result["epochs_run"],
                           "stopped_early": result["stopped_early"], "clipped_values": clipped,
                           "weights_at_bound": int(np.count_nonzero(
                               np.abs(result["weights"]) >= fixedpoint.WEIGHT_CLIP)),
                           **{k: after[k] - before[k] for k in after}}
        return self

    def _trainer(self, session, role, x_std, d_peer, params, seed, labels, weights):
        if self.protocol == "ss":
            from mpc.ml.ss_guest import SsGuest
            from mpc.ml.ss_host import SsHost
            role_class = SsGuest if role == "guest" else SsHost
            return role_class(session, fixedpoint.encode_features(x_std), d_peer, params, seed,
                              labels=labels, sample_weights=weights, progress=self.progress, timeout=self.timeout)
        from mpc.ml.he_guest import HeGuest
        from mpc.ml.he_host import HeHost
        role_class = HeGuest if role == "guest" else HeHost
        return role_class(session, fixedpoint.encode_features(x_std), d_peer, params, seed,
                         labels=labels, sample_weights=weights, progress=self.progress, timeout=self.timeout,
                         key_bits=self.key_bits)

    @staticmethod
    def _labels(y, rows: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (rows,):
            raise InputError(f"{y.size} labels for {rows} rows")
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise InputError("labels contain NaN or infinite values")
        bad = ~np.isin(y, (0, 1))
        if bad.any():
            raise InputError(f"labels must be 0 or 1; row {int(np.argmax(bad))} has {y[np.argmax(bad)]!r}")
        return y.astype(np.int64)

    def _sample_weights(self, labels: np.ndarray) -> np.ndarray:
        """Per-row class weights divided by their maximum, at CLASS_WEIGHT_BITS (guest only)."""
        if self.class_weight == "balanced":
            counts = np.bincount(labels, minlength=2).astype(np.float64)
            per_class = {c: (labels.size / (2.0 * counts[c]) if counts[c] else 0.0) for c in (0, 1)}
        else:
            per_class = {int(k): float(v) for k, v in self.class_weight.items()}
            if set(per_class) - {0, 1} or any(not v >= 0 for v in per_class.values()):
                raise ConfigError("class_weight must map the classes 0 and 1 to non-negative weights")
        values = np.array([per_class.get(0, 1.0), per_class.get(1, 1.0)])
        if not values.max() > 0:
            raise ConfigError("class weights are all zero")
        encoded = np.rint(values / values.max() * (1 << fixedpoint.CLASS_WEIGHT_BITS)).astype(np.int64)
        return encoded[labels]

    # -- prediction ----------------------------------------------------------------------------
    def _model(self) -> dict:
        if self.model_ is None:
            raise ConfigError("fit the model or load a model file first")
        return self.model_

    def decision_function(self, X, *, ids=None):
        """Linear scores of the rows (guest: (n,) array, host: None)."""
        session, model = self._session(), self._model()
        mean, scale, weights = model_files.arrays(model)
        x_std, _ = Standardiser(mean, scale).transform(X)
        partial = x_std @ weights
        channel = session.channel(1 - session.me)
        link.hello(channel, role=model["role"], protocol="predict", rows=x_std.shape[0], features=x_std.shape[1],
                   params={"peer_features": None}, ids_digest=None if ids is None else link.ids_digest(ids),
                   stage="predict", timeout=self.timeout)
        if model["role"] == "host":
            channel.send(TAG_SCORES, np.ascontiguousarray(partial, dtype=np.float64))
            return None
        if x_std.shape[0] > MAX_SCORE_ROWS:
            raise ConfigError("too many rows to score in one run")
        theirs = channel.recv_exact(TAG_SCORES, np.float64, (x_std.shape[0],), timeout=self.timeout)
        if not np.all(np.isfinite(theirs)):
            from mpc.errors import ProtocolError
            raise ProtocolError("the host's partial scores are not finite numbers")
        return partial + theirs + float(model["intercept"])

    def predict_proba(self, X, *, ids=None):
        z = self.decision_function(X, ids=ids)
        if z is None:
            return None
        p = sigmoid.logistic(z)
        return np.column_stack([1.0 - p, p])

    def predict(self, X, *, ids=None):
        z = self.decision_function(X, ids=ids)
        return None if z is None else (z > 0).astype(np.int64)

    def score(self, X, y=None, *, ids=None):
        """Accuracy on labelled rows at the guest (None at the host), as scikit-learn's score."""
        predicted = self.predict(X, ids=ids)
        if predicted is None:
            return None
        return float(np.mean(predicted == self._labels(y, predicted.size)))

    # -- model files and the whole model -------------------------------------------------------
    def save(self, path: str, *, overwrite: bool = False) -> None:
        model_files.write_json_atomic(path, self._model(), overwrite=overwrite)

    @classmethod
    def load(cls, path: str, session=None, *, role: str | None = None, **options) -> "VerticalLogisticRegression":
        data = model_files.read_model(path, role)
        estimator = cls(session, protocol=data.get("protocol", "ss"), **options)
        estimator.model_ = data
        return estimator

    def reveal_model(self) -> dict:
        """Both parties call it (both must agree): each gets the peer's features, scaling and weights."""
        session, model = self._session(), self._model()
        channel = session.channel(1 - session.me)
        mine = {k: model[k] for k in ("role", "features", "mean", "scale", "weights", "intercept")}
        theirs = link.exchange_json(channel, link.TAG_REVEAL, {"reveal": True, "part": mine}, self.timeout,
                                    max_size=1 << 24)
        part = theirs.get("part")
        if not isinstance(part, dict) or part.get("role") == model["role"]:
            from mpc.errors import ProtocolError
            raise ProtocolError("the peer's model part is malformed or of the same role")
        checked = model_files.read_model_part(part, model["peer_features"])
        self.model_ = dict(model, peer=checked)
        return self.model_

    def to_sklearn(self):
        """A fitted scikit-learn LogisticRegression on the original feature units (after
        reveal_model); columns: guest's features, then host's."""
        from sklearn.linear_model import LogisticRegression
        model = self._model()
        if not model.get("peer"):
            raise ConfigError("the whole model is needed: call reveal_model() on both sides first")
        guest, host = (model, model["peer"]) if model["role"] == "guest" else (model["peer"], model)
        mean = np.concatenate([guest["mean"], host["mean"]])
        scale = np.concatenate([guest["scale"], host["scale"]])
        weights = np.concatenate([guest["weights"], host["weights"]])
        lr = LogisticRegression()
        lr.coef_ = (weights / scale).reshape(1, -1)
        lr.intercept_ = np.array([float(guest["intercept"]) - float(np.sum(weights * mean / scale))])
        lr.classes_ = np.array([0, 1])
        lr.n_features_in_ = weights.size
        lr.mpc_feature_names_ = list(guest["features"]) + list(host["features"])   # column order
        return lr


def _traffic(session) -> dict:
    total = session.stats.protocol()
    return {"bytes_sent": total.bytes_sent, "bytes_received": total.bytes_received, "rounds": total.rounds}
