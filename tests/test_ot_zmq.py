"""OT between two real processes over ZeroMQ (mpc.run_local): every OT of a 2^16 batch of each
flavour on one set-up, the spec's byte counts on the real transport, and peers that stop."""
from __future__ import annotations

import time

import numpy as np
import pytest

from mpc.errors import PeerTimeout
from mpc.ot import IknpReceiver, IknpSender, iknp_bytes
from mpc.runtime import run_local

N = (1 << 16) + 77  # two chunks, the last one partial


def _all_flavours(session):
    channel = session.channel(1 - session.me)
    rng = np.random.default_rng(7)  # test inputs only; the roles draw their own randomness
    choices = rng.integers(0, 2, N).astype(np.uint8)
    if session.me == 0:
        sender = IknpSender(channel, session.rng)
        labels0 = sender.correlated(N)
        m0, m1 = sender.random(N)
        c0, c1 = rng.integers(0, 256, (2, N, 40), dtype=np.uint8)
        sender.chosen(c0, c1)
        deltas = rng.integers(0, 2**64, N, dtype=np.uint64)
        x = sender.correlated_z64(deltas)
        return sender.delta_array, labels0, m0, m1, c0, c1, deltas, x, channel.stats.protocol("iknp").bytes_sent
    receiver = IknpReceiver(channel, session.rng)
    labels = receiver.correlated(choices)
    b, mb = receiver.random(N)
    chosen = receiver.chosen(choices, 40)
    z = receiver.correlated_z64(choices)
    return choices, labels, b, mb, chosen, z, channel.stats.protocol("iknp").bytes_sent


def test_every_flavour_between_processes():
    sent, got = run_local(_all_flavours, parties=2, timeout=30)
    delta, labels0, m0, m1, c0, c1, deltas, x, sender_bytes = sent
    choices, labels, b, mb, chosen, z, receiver_bytes = got
    pick = choices.astype(bool)[:, None]
    assert np.array_equal(labels, labels0 ^ (choices[:, None] * delta[None, :]))
    assert np.array_equal(mb, np.where(b.astype(bool)[:, None], m1, m0))
    assert np.array_equal(chosen, np.where(pick, c1, c0))
    assert np.array_equal(z, x + choices.astype(np.uint64) * deltas)
    flavours = [("correlated-ot", 16), ("random-ot", 16), ("chosen-ot", 40), ("correlated-ot-z64", 16)]
    assert sender_bytes == sum(iknp_bytes(f, N, length)["sender"] for f, length in flavours)
    assert receiver_bytes == sum(iknp_bytes(f, N, length)["receiver"] for f, length in flavours)


def _receiver_sleeps_mid_extension(session):
    channel = session.channel(1 - session.me)
    if session.me == 0:
        return IknpSender(channel, session.rng, timeout=2.0).correlated(1 << 17)
    IknpReceiver(channel, session.rng).correlated(np.zeros(1 << 16, np.uint8))  # half of the batch
    time.sleep(3.5)
    return None


def _receiver_returns_mid_extension(session):
    channel = session.channel(1 - session.me)
    if session.me == 0:
        return IknpSender(channel, session.rng, timeout=2.0).random(1 << 17)
    IknpReceiver(channel, session.rng).random(1 << 16)
    return None


def _sender_sleeps_before_reply(session):
    channel = session.channel(1 - session.me)
    if session.me == 0:
        sender = IknpSender(channel, session.rng)
        sender.setup()
        channel.recv("iknp:u")
        time.sleep(3.5)
        return None
    return IknpReceiver(channel, session.rng, timeout=2.0).correlated_z64(np.ones(1000, np.uint8))


@pytest.mark.parametrize("job", [_receiver_sleeps_mid_extension, _receiver_returns_mid_extension,
                                 _sender_sleeps_before_reply])
def test_peer_that_stops_mid_extension_gives_peer_timeout(job):
    start = time.monotonic()
    with pytest.raises(PeerTimeout):
        run_local(job, parties=2, timeout=20)
    assert time.monotonic() - start < 15  # the 2 s role timeout fired, not the 20 s session one
