"""`mpc bench lr`: vertical logistic regression between two processes over ZeroMQ loopback.

Cases (protocols/lr-vertical.md): synthetic data like scikit-learn's make_classification (30
features, 10 informative, fixed seed: benchmark data, not randomness of the protocol), split 10 guest
/ 20 host features, n training rows (10^4 and 7*10^4) plus a held-out 30 %, one
epoch, batch 1024, learning rate 0.5.  (--quick: 500 rows, he with a 512-bit key: a smoke test, INSECURE key.)
  lr-ss   protocol ss (secret sharing, OT, garbled circuits), CURVE transport as deployed
  lr-he   protocol he (Paillier 2048 bits), at the sizes up to 10^4 only (it is ~100x slower)
Rows: seconds (the slower party's fit), bytes and rounds summed over both parties, the AUC on the
held-out rows, and scikit-learn's LogisticRegression AUC on the same standardised split.  The
project's target: lr-ss at 70,000 rows in at most half SecretFlow SPU CHEETAH's 56 s (28 s).
Needs scikit-learn (pip install "mpc[test]").
"""
from __future__ import annotations

import os

from mpc.bench import BenchOptions, measurement
from mpc.errors import ConfigError

DESCRIPTION = "vertical logistic regression (ss and he), 30 features split 10/20, one epoch, batch 1024"
DEFAULT_SIZES = (10_000, 70_000)
QUICK_SIZES = (500,)
HE_MAX_ROWS = 10_000
FEATURES, GUEST_FEATURES = 30, 10
BATCH, LEARNING_RATE, EPOCHS = 1024, 0.5, 1
TARGET_SECONDS = 28.0


def dataset(rows: int):
    """(Xtr, Xte, ytr, yte, sklearn_auc) with `rows` training rows."""
    try:
        from sklearn.datasets import make_classification
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
    except ImportError as exc:
        raise ConfigError('mpc bench lr needs scikit-learn: pip install "mpc[test]"') from exc
    total = int(round(rows / 0.7))
    X, y = make_classification(n_samples=total, n_features=FEATURES, n_informative=FEATURES // 3, random_state=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, train_size=rows, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    reference = LogisticRegression(max_iter=1000).fit(scaler.transform(Xtr), ytr)
    return Xtr, Xte, ytr, yte, roc_auc_score(yte, reference.decision_function(scaler.transform(Xte)))


def party_job(session, protocol, key_bits, Xtr, Xte, ytr):
    from mpc.ml import VerticalLogisticRegression
    cols = slice(0, GUEST_FEATURES) if session.me == 0 else slice(GUEST_FEATURES, FEATURES)
    model = VerticalLogisticRegression(session, protocol=protocol, epochs=EPOCHS, batch_size=BATCH,
                                       learning_rate=LEARNING_RATE, key_bits=key_bits, timeout=3600)
    model.fit(Xtr[:, cols], ytr if session.me == 0 else None)
    stats = model.fit_stats_
    return {"seconds": stats["seconds"], "sent": stats["bytes_sent"], "received": stats["bytes_received"],
            "rounds": stats["rounds"], "scores": model.decision_function(Xte[:, cols])}


def _load():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run_case(protocol: str, rows: int, security: str = "curve", key_bits: int = 2048) -> dict:
    from sklearn.metrics import roc_auc_score

    from mpc.runtime import run_local
    Xtr, Xte, ytr, yte, sklearn_auc = dataset(rows)
    guest, host = run_local(party_job, parties=2, args=(protocol, key_bits, Xtr, Xte, ytr), timeout=3600,
                            security=security, names=["guest", "host"])
    auc = roc_auc_score(yte, guest["scores"])
    seconds = max(guest["seconds"], host["seconds"])
    extra = {"target_seconds": TARGET_SECONDS, "within_target": seconds <= TARGET_SECONDS} if protocol == "ss" else \
        {"key_bits": key_bits, "seconds_per_epoch": seconds / EPOCHS}
    return measurement("lr", f"lr-{protocol}", rows, seconds, bytes_sent=guest["sent"] + host["sent"],
                       bytes_received=guest["received"] + host["received"], rounds=guest["rounds"] + host["rounds"],
                       features=FEATURES, guest_features=GUEST_FEATURES, epochs=EPOCHS, batch=BATCH,
                       auc=round(auc, 5), sklearn_auc=round(sklearn_auc, 5), auc_gap=round(sklearn_auc - auc, 5),
                       guest_bytes_sent=guest["sent"], host_bytes_sent=host["sent"], security=security,
                       held_out=len(yte), load_average=_load(), **extra)


def run(options: BenchOptions) -> list[dict]:
    sizes = tuple(options.sizes) if options.sizes else (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    security = options.extra.get("security") or "curve"
    rows = [run_case("ss", n, security) for n in sizes]
    he_sizes = [n for n in sizes if n <= HE_MAX_ROWS] or [min(sizes)]
    key_bits = 512 if options.quick else 2048   # --quick: an INSECURE 512-bit key, for smoke tests only
    rows += [run_case("he", n, security, key_bits) for n in he_sizes]
    return rows
