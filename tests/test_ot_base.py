"""Base OT roles over the in-process transport (protocols/ot-base.md)."""
from __future__ import annotations

import numpy as np
import pytest

from mpc.errors import ProtocolError
from mpc.ot import BaseOtReceiver, BaseOtSender, base_ot_bytes
from mpc.ot.base import TAG_REPLY, TAG_SETUP
from mpc.transport import run_threads


def run_base(choices):
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            keys = BaseOtSender(channel).send(len(choices))
        else:
            keys = BaseOtReceiver(channel).receive(choices)
        return keys, channel.stats.protocol("ot-base").bytes_sent
    return run_threads(party, 2, timeout=10)


@pytest.mark.parametrize("count", [1, 2, 128])
def test_receiver_gets_exactly_the_chosen_key(count):
    choices = np.frombuffer(np.random.default_rng(count).bytes(count), np.uint8) & 1
    ((keys0, keys1), sent_sender), (keys, sent_receiver) = run_base(choices)
    assert keys0.shape == keys1.shape == keys.shape == (count, 16)
    expected = np.where(choices[:, None].astype(bool), keys1, keys0)
    other = np.where(choices[:, None].astype(bool), keys0, keys1)
    assert np.array_equal(keys, expected)
    assert not np.any(np.all(keys == other, axis=1))
    assert len({k.tobytes() for k in np.concatenate([keys0, keys1])}) == 2 * count
    costs = base_ot_bytes(count)
    assert (sent_sender, sent_receiver) == (costs["sender"], costs["receiver"])


def test_invalid_reply_point_is_a_protocol_error():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return BaseOtSender(channel).send(4)
        channel.recv_bytes(TAG_SETUP, 66)
        channel.send(TAG_REPLY, np.full((4, 33), 0xFF, np.uint8))
        return None
    with pytest.raises(ProtocolError):
        run_threads(party, 2, timeout=10)


def test_wrong_reply_size_is_a_protocol_error():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return BaseOtSender(channel).send(4)
        channel.recv_bytes(TAG_SETUP, 66)
        channel.send(TAG_REPLY, np.zeros((3, 33), np.uint8))
        return None
    with pytest.raises(ProtocolError):
        run_threads(party, 2, timeout=10)
