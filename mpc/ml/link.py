"""The small public exchanges that frame a vertical-LR run between guest and host: who plays which
role, the agreed parameters and row count, a check that the rows are aligned, a joint seed.

For mpc.ml.estimator (spec: protocols/lr-vertical.md, "Set-up").  Every message is JSON of at most
MAX_HELLO bytes; anything malformed or disagreeing is a ProtocolError / ConfigError naming the field.
"""
from __future__ import annotations

import hashlib
import json

from mpc.errors import ConfigError, ProtocolError
from mpc.ss.randomness import random_bytes

TAG_HELLO = "ml:hello"
TAG_SEED = "ml:seed"
TAG_REVEAL = "ml:reveal"
MAX_HELLO = 1 << 16
SEED_BYTES = 16


def exchange_json(channel, tag: str, mine: dict, timeout=None, max_size: int = MAX_HELLO) -> dict:
    channel.send(tag, json.dumps(mine, sort_keys=True).encode())
    raw = channel.recv_bytes(tag, max_size=max_size, timeout=timeout)
    try:
        theirs = json.loads(bytes(raw).decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"peer's {tag} message is not JSON") from exc
    if not isinstance(theirs, dict):
        raise ProtocolError(f"peer's {tag} message is not a JSON object")
    return theirs


def hello(channel, *, role: str, protocol: str, rows: int, features: int, params: dict,
          ids_digest: str | None, stage: str, timeout=None) -> dict:
    """Exchange and check the public set-up; returns the peer's message (its role, feature count)."""
    mine = {"role": role, "protocol": protocol, "rows": int(rows), "features": int(features),
            "params": params, "ids": ids_digest, "stage": stage}
    theirs = exchange_json(channel, TAG_HELLO, mine, timeout)
    expected_role = "host" if role == "guest" else "guest"
    if theirs.get("stage") != stage:
        raise ConfigError(f"the peer runs {theirs.get('stage')!r}, this party runs {stage!r}")
    if theirs.get("role") != expected_role:
        raise ConfigError(f"both parties play the {role}: one must be the guest (labels) and one the host")
    if theirs.get("protocol") != protocol:
        raise ConfigError(f"protocols differ: this party uses {protocol!r}, the peer {theirs.get('protocol')!r}")
    if theirs.get("rows") != int(rows):
        raise ConfigError(f"row counts differ: this party has {rows} rows, the peer {theirs.get('rows')} "
                          f"(the files must be aligned, as `mpc psi` writes them)")
    if theirs.get("params") != params:
        raise ConfigError(f"training parameters differ: this party {params}, the peer {theirs.get('params')}")
    if (ids_digest is None) != (theirs.get("ids") is None):
        raise ConfigError("only one party gave --id: give it on both sides or neither")
    if ids_digest is not None and theirs.get("ids") != ids_digest:
        raise ConfigError("the id columns differ: the rows of the two files are not aligned")
    features_peer = theirs.get("features")
    if not isinstance(features_peer, int) or not 0 <= features_peer <= 1 << 16:
        raise ProtocolError(f"peer announced {features_peer!r} features")
    return theirs


def joint_seed(channel, prg, me: int, timeout=None) -> bytes:
    """A seed both parties contributed to (for the public batch order)."""
    mine = random_bytes(prg, SEED_BYTES)
    channel.send(TAG_SEED, mine)
    theirs = bytes(channel.recv_bytes(TAG_SEED, SEED_BYTES, timeout=timeout))
    first, second = (mine, theirs) if me == 0 else (theirs, mine)
    return hashlib.sha256(b"mpc/ml/batch-order/v1" + first + second).digest()[:16]


def ids_digest(ids) -> str:
    """SHA-256 over the id sequence (length-prefixed UTF-8), for the alignment check."""
    h = hashlib.sha256(b"mpc/ml/ids/v1")
    for value in ids:
        data = str(value).encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(4, "little") + data)
    return h.hexdigest()
