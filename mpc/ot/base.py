"""Base OT: a batch of 1-out-of-2 random OTs of 16-byte keys over P-256, semi-honest secure.

For the IKNP set-up (mpc/ot/iknp.py) and anyone who needs a few public-key OTs.  Spec:
protocols/ot-base.md (Bellare–Micali with Naor–Pinkas batching, keys hashed with SHA-256 over the
transcript, the OT index and the point).  Two flights:

    sender -> receiver  "ot-base:setup"  C || R                     66 bytes
    receiver -> sender  "ot-base:reply"  PK0_1 .. PK0_count         33 * count bytes

The sender ends with (k0_i, k1_i), the receiver with k_{b_i}; the role objects are given a Channel
and a randomness source (an `mpc.prg.Prg` or anything with `.bytes(n)`; None means os.urandom).
"""
from __future__ import annotations

import hashlib
import os

import numpy as np

from mpc.errors import NativeError, ProtocolError
from mpc.native import ot as native_ot

TAG_SETUP = "ot-base:setup"
TAG_REPLY = "ot-base:reply"
KEY_BYTES = 16
MAX_COUNT = 1 << 16
_DOMAIN = b"mpc/ot-base/v1"


def random_bytes(rng, n: int) -> bytes:
    """n bytes from the role's randomness source (os.urandom when it is None)."""
    if n == 0:
        return b""
    data = os.urandom(n) if rng is None else bytes(rng.bytes(n))
    if len(data) != n:
        raise ValueError("the randomness source returned the wrong number of bytes")
    return data


def derive_key(message: bytes, index: int, reply_point: bytes, side: int, shared_point: bytes) -> bytes:
    """k_{index, side} = SHA-256(domain || C || R || index || PK0_index || side || shared)[:16]."""
    digest = hashlib.sha256()
    digest.update(_DOMAIN)
    digest.update(message)
    digest.update(index.to_bytes(4, "big"))
    digest.update(reply_point)
    digest.update(bytes([side]))
    digest.update(shared_point)
    return digest.digest()[:KEY_BYTES]


def _check_count(count: int) -> int:
    count = int(count)
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"base OT count must be in 1..{MAX_COUNT}")
    return count


class BaseOtSender:
    """The sender of a batch of random base OTs: learns both keys of every OT."""

    def __init__(self, channel, rng=None):
        self.channel = channel
        self.rng = rng
        self.transcript = b""

    def send(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(k0, k1), each (count, 16) uint8."""
        count = _check_count(count)
        secret, message = native_ot.base_sender_setup(random_bytes(self.rng, 96))
        self.channel.send(TAG_SETUP, message)
        reply = np.array(self.channel.recv_exact(TAG_REPLY, np.uint8, (count, native_ot.POINT_BYTES)))
        try:
            shared0, shared1 = native_ot.base_sender_keys(secret, message, reply)
        except NativeError as exc:
            if exc.code == -7:
                raise ProtocolError("base OT reply holds an invalid P-256 point", self.channel.peer) from exc
            raise
        keys0 = np.empty((count, KEY_BYTES), np.uint8)
        keys1 = np.empty((count, KEY_BYTES), np.uint8)
        for i in range(count):
            point = reply[i].tobytes()
            keys0[i] = np.frombuffer(derive_key(message, i, point, 0, shared0[i].tobytes()), np.uint8)
            keys1[i] = np.frombuffer(derive_key(message, i, point, 1, shared1[i].tobytes()), np.uint8)
        self.transcript = message
        return keys0, keys1


class BaseOtReceiver:
    """The receiver of a batch of random base OTs: learns k_{b_i} for its choice bits b."""

    def __init__(self, channel, rng=None):
        self.channel = channel
        self.rng = rng
        self.transcript = b""

    def receive(self, choices) -> np.ndarray:
        """k_{b_i} for each choice bit (uint8 0/1 array), as (count, 16) uint8."""
        choices = np.ascontiguousarray(choices, dtype=np.uint8).reshape(-1)
        count = _check_count(choices.size)
        if np.any(choices > 1):
            raise ValueError("choice bits must be 0 or 1")
        message = bytes(self.channel.recv_bytes(TAG_SETUP, native_ot.BASE_MESSAGE_BYTES))
        randomness = random_bytes(self.rng, count * native_ot.SCALAR_RANDOM_BYTES)
        try:
            reply, secrets = native_ot.base_receiver_choose(message, choices, randomness)
        except NativeError as exc:
            if exc.code == -7:
                raise ProtocolError("base OT set-up holds an invalid P-256 point", self.channel.peer) from exc
            raise
        self.channel.send(TAG_REPLY, reply)
        # The k_i R multiplications run while the sender computes its r PK0_i.
        shared = native_ot.base_receiver_keys(message, secrets)
        keys = np.empty((count, KEY_BYTES), np.uint8)
        for i in range(count):
            keys[i] = np.frombuffer(derive_key(message, i, reply[i].tobytes(), int(choices[i]),
                                               shared[i].tobytes()), np.uint8)
        self.transcript = message
        return keys
