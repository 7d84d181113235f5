"""Model files of vertical logistic regression: each party's own JSON file, written atomically.

For mpc.ml.estimator and `mpc lr` (spec: protocols/lr-vertical.md, "Model files").  A party's file
holds its role, its features' names, standardisation (mean, scale) and weights on the standardised
scale, the intercept (guest only), the peer's feature count, the training parameters and, after
reveal_model, the peer's part too ("peer").  Loading checks the format and, when asked, the role.
"""
from __future__ import annotations

import json
import math
import os
import tempfile

import numpy as np

from mpc.errors import InputError

FORMAT = "mpc-vertical-lr"
VERSION = 1


def model_dict(*, role, protocol, features, mean, scale, weights, intercept, peer_features, rows,
               params, sigmoid, peer=None) -> dict:
    return {"format": FORMAT, "version": VERSION, "role": role, "protocol": protocol,
            "features": list(features), "mean": [float(v) for v in mean], "scale": [float(v) for v in scale],
            "weights": [float(v) for v in weights],
            "intercept": None if intercept is None else float(intercept),
            "peer_features": int(peer_features), "rows": int(rows), "params": params, "sigmoid": sigmoid,
            "peer": peer}


def write_json_atomic(path: str, data: dict, *, overwrite: bool = False) -> None:
    """Write JSON to a temporary file beside `path`, then rename: never a half-written file."""
    if os.path.exists(path) and not overwrite:
        raise InputError("exists already; remove it or ask to overwrite it (--force)", path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _numbers(data: dict, key: str, count: int | None, path: str) -> list:
    values = data.get(key)
    if not isinstance(values, list) or (count is not None and len(values) != count):
        raise InputError(f"model field {key!r} must be a list of {count if count is not None else 'some'} numbers", path)
    for v in values:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise InputError(f"model field {key!r} holds a value that is not a finite number: {v!r}", path)
    return values


def read_model(path: str, role: str | None = None) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not a JSON model file: {exc}", path, line) from exc
    return read_model_from_dict(data, path, role)


def read_model_from_dict(data, path: str, role: str | None = None) -> dict:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} model file", path)
    if data.get("version") != VERSION:
        raise InputError(f"model file version {data.get('version')!r}; this mpc reads version {VERSION}", path)
    if data.get("role") not in ("guest", "host"):
        raise InputError(f"model role must be 'guest' or 'host', not {data.get('role')!r}", path)
    if role is not None and data["role"] != role:
        raise InputError(f"this is the {data['role']}'s model file, but this party is the {role}", path)
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(c, str) for c in features):
        raise InputError("model field 'features' must be a list of column names", path)
    d = len(features)
    for key in ("mean", "scale", "weights"):
        _numbers(data, key, d, path)
    if any(v <= 0 for v in data["scale"]):
        raise InputError("model field 'scale' must be positive", path)
    if data["role"] == "guest" and not isinstance(data.get("intercept"), (int, float)):
        raise InputError("the guest's model needs a numeric 'intercept'", path)
    if not isinstance(data.get("peer_features"), int) or data["peer_features"] < 0:
        raise InputError("model field 'peer_features' must be a non-negative integer", path)
    return data


def arrays(data: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(data["mean"], np.float64), np.asarray(data["scale"], np.float64),
            np.asarray(data["weights"], np.float64))


def read_model_part(part: dict, expected_features: int) -> dict:
    """The peer's part of a model received by reveal_model, checked like a file."""
    from mpc.errors import ProtocolError
    try:
        data = dict(part, format=FORMAT, version=VERSION, peer_features=0)
        checked = read_model_from_dict(data, "<peer's model part>")
    except InputError as exc:
        raise ProtocolError(f"the peer's model part is malformed: {exc}") from exc
    if len(checked["features"]) != expected_features:
        raise ProtocolError(f"the peer's model part has {len(checked['features'])} features, "
                            f"training announced {expected_features}")
    return {k: checked[k] for k in ("role", "features", "mean", "scale", "weights", "intercept")}
