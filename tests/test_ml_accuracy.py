"""VerticalLogisticRegression against scikit-learn's LogisticRegression on the same split: AUC
within 0.01 for both protocols, on breast cancer (10 guest / 20 host features) and synthetic data;
model parts, reveal_model and the scikit-learn export.  The he runs use TEST_KEY_BITS (512-bit
Paillier): INSECURE, for test speed only; the default is 2048."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer, make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import mpc  # noqa: E402
from mpc.ml import VerticalLogisticRegression  # noqa: E402
from mpc.ml.paillier import TEST_KEY_BITS  # noqa: E402


def _split(name):
    if name == "breast":
        X, y = load_breast_cancer(return_X_y=True)
    else:
        X, y = make_classification(n_samples=2000, n_features=30, n_informative=10, random_state=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    reference = LogisticRegression(max_iter=1000).fit(scaler.transform(Xtr), ytr)
    return Xtr, Xte, ytr, yte, roc_auc_score(yte, reference.decision_function(scaler.transform(Xte)))


SETTINGS = {"breast": {"epochs": 10, "batch_size": 64, "learning_rate": 0.3},     # 398 training rows
            "synthetic": {"epochs": 3, "batch_size": 128, "learning_rate": 0.5}}  # 1400 training rows


def _job(session, protocol, settings, Xtr, Xte, ytr):
    cols = slice(0, 10) if session.me == 0 else slice(10, 30)
    model = VerticalLogisticRegression(session, protocol=protocol, key_bits=TEST_KEY_BITS, **settings)
    model.fit(Xtr[:, cols], ytr if session.me == 0 else None)
    scores = model.decision_function(Xte[:, cols])
    whole = model.reveal_model()
    exported = model.to_sklearn()
    return scores, whole, exported


@pytest.mark.parametrize("protocol", ["ss", "he"])
@pytest.mark.parametrize("data", ["breast", "synthetic"])
def test_auc_within_001_of_sklearn(protocol, data):
    Xtr, Xte, ytr, yte, reference_auc = _split(data)
    guest, host = mpc.run_local(_job, 2, args=(protocol, SETTINGS[data], Xtr, Xte, ytr), timeout=120)
    scores = guest[0]
    assert host[0] is None                          # the scores go to the guest only
    auc = roc_auc_score(yte, scores)
    print(f"{data} {protocol}: AUC {auc:.4f}, scikit-learn {reference_auc:.4f}")
    assert auc >= reference_auc - 0.01, (auc, reference_auc)
    # the model parts: the guest's file has its 10 features and the intercept, the host's 20
    assert len(guest[1]["weights"]) == 10 and guest[1]["intercept"] is not None
    assert len(host[1]["weights"]) == 20 and host[1]["intercept"] is None
    # after reveal_model both export the same scikit-learn model, which reproduces the joint scores
    # (rows with a feature beyond 8 standard deviations differ: training and scoring clip there)
    for exported in (guest[2], host[2]):
        close = np.abs(exported.decision_function(Xte) - scores) < 1e-6
        assert close.mean() > 0.95
    np.testing.assert_allclose(guest[2].coef_, host[2].coef_)


def _options_job(session, protocol, Xtr, Xte, ytr):
    cols = slice(0, 10) if session.me == 0 else slice(10, 30)
    stopped = VerticalLogisticRegression(session, protocol=protocol, epochs=4, batch_size=128, tol=1e3,
                                         key_bits=TEST_KEY_BITS).fit(Xtr[:, cols], ytr if session.me == 0 else None)
    running = VerticalLogisticRegression(session, protocol=protocol, epochs=2, batch_size=256, tol=1e-9,
                                         key_bits=TEST_KEY_BITS).fit(Xtr[:, cols], ytr if session.me == 0 else None)
    weighted = VerticalLogisticRegression(session, protocol=protocol, epochs=4, batch_size=64, learning_rate=0.3,
                                          class_weight="balanced", key_bits=TEST_KEY_BITS)
    weighted.fit(Xtr[:, cols], ytr if session.me == 0 else None)
    return stopped.fit_stats_, weighted.decision_function(Xte[:, cols]), running.fit_stats_


@pytest.mark.parametrize("protocol", ["ss", "he"])
def test_early_stopping_and_class_weights(protocol):
    """tol: every weight moves less than 1000 in the first epoch, so both parties stop after it (and
    with tol = 1e-9 they do not);
    class_weight='balanced' trains through the extra elementwise product and still ranks well."""
    Xtr, Xte, ytr, yte, reference_auc = _split("breast")
    guest, host = mpc.run_local(_options_job, 2, args=(protocol, Xtr, Xte, ytr), timeout=120)
    for stats in (guest[0], host[0]):
        assert stats["epochs_run"] == 1 and stats["stopped_early"]
    for stats in (guest[2], host[2]):          # a tiny tol never stops early
        assert stats["epochs_run"] == 2 and not stats["stopped_early"]
    assert roc_auc_score(yte, guest[1]) >= reference_auc - 0.01
