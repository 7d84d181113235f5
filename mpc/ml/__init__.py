"""Machine learning between parties: vertical logistic regression (`VerticalLogisticRegression`).

For users with a two-party `mpc.Session` and for `mpc lr`.  Spec: protocols/lr-vertical.md.
Files: estimator (the scikit-learn-shaped class), ss_train (secret sharing), he_train (Paillier),
ole (plaintext-matrix x share products over OT), update (the garbled-circuit SGD step),
sigmoid, scaling, fixedpoint (scales and the overflow budget), model (JSON files), link (set-up).
"""
from mpc.ml.estimator import VerticalLogisticRegression

__all__ = ["VerticalLogisticRegression"]
