"""Machine learning between parties: vertical logistic regression (`VerticalLogisticRegression`).

For users with a two-party `mpc.Session` and for `mpc lr`.  Spec: protocols/lr-vertical.md.
Files: estimator (the scikit-learn-shaped class), ss_common/ss_guest/ss_host (secret sharing),
he_common/he_guest/he_host + paillier (Paillier),
ole (plaintext-matrix x share products over OT), update (the garbled-circuit SGD step),
sigmoid, scaling, fixedpoint (scales and the overflow budget), model (JSON files), link (set-up).
"""
from mpc.ml.estimator import VerticalLogisticRegression

__all__ = ["VerticalLogisticRegression"]
