"""IKNP OT extension roles over the in-process transport (protocols/ot-iknp.md): exhaustive small
batches, a 2^20 batch with statistical checks, the spec's byte formulas, and a peer that stops."""
from __future__ import annotations

import numpy as np
import pytest

from mpc.errors import PeerTimeout, ProtocolError
from mpc.ot import IknpReceiver, IknpSender, iknp_bytes
from mpc.ot.iknp import TAG_U
from mpc.transport import run_threads

SMALL_SIZES = [0, 1, 2, 7, 8, 63, 127, 128, 129, 255, 256, 300, 1000]


def secure_bits(n: int, seed: int) -> np.ndarray:
    # Test inputs only; the roles themselves draw from os.urandom / the PRG.
    return np.random.default_rng(seed).integers(0, 2, n).astype(np.uint8)


def test_exhaustive_small_batches_every_flavour_one_setup():
    """Every small size, every flavour, every OT checked, all on one base-OT set-up."""
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        results = []
        if endpoint.me == 0:
            sender = IknpSender(channel)
            for n in SMALL_SIZES:
                rng = np.random.default_rng(n)
                results.append(sender.correlated(n))
                results.append(sender.random(n))
                for length in (1, 16, 33):
                    m0 = rng.integers(0, 256, (n, length), dtype=np.uint8)
                    m1 = rng.integers(0, 256, (n, length), dtype=np.uint8)
                    sender.chosen(m0, m1)
                    results.append((m0, m1))
                deltas = rng.integers(0, 2**64, n, dtype=np.uint64)
                results.append((deltas, sender.correlated_z64(deltas)))
            return sender.delta_array, results
        receiver = IknpReceiver(channel)
        for n in SMALL_SIZES:
            choices = secure_bits(n, n + 1)
            results.append((choices, receiver.correlated(choices)))
            results.append(receiver.random(n))
            for length in (1, 16, 33):
                results.append((choices, receiver.chosen(choices, length)))
            results.append((choices, receiver.correlated_z64(choices)))
        return results

    (delta, sent), received = run_threads(party, 2, timeout=30)
    assert delta[0] & 1 == 1
    for item_sent, item_received in zip(sent, received, strict=True):
        choices, got = item_received
        pick = choices.astype(bool)
        if isinstance(item_sent, np.ndarray):  # correlated
            assert np.array_equal(got, item_sent ^ (choices[:, None] * delta[None, :]))
        elif item_sent[0].dtype == np.uint64:  # correlated over Z_2^64
            deltas, x = item_sent
            assert np.array_equal(got, x + choices.astype(np.uint64) * deltas)
        else:  # random or chosen: the receiver has m_b, for every OT
            m0, m1 = item_sent
            assert got.shape == m0.shape
            assert np.array_equal(got, np.where(pick[:, None], m1, m0))
            if got.shape[0] and got.shape[1] == 16:
                assert not np.any(np.all(m0 == m1, axis=1))


def test_million_ots_statistics():
    """At 2^20 OTs: m_b correct for every OT, m0 ^ m1 not constant, balanced bits, Δ-correlation.

    Balance threshold: a fair count of n bits has standard deviation sqrt(n)/2; we allow 6 standard
    deviations (false alarm probability about 2e-9 per count)."""
    n = 1 << 20

    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            sender = IknpSender(channel)
            return sender.delta_array, sender.random(n), sender.correlated(n)
        receiver = IknpReceiver(channel)
        choices = secure_bits(n, 99)
        return receiver.random(n), choices, receiver.correlated(choices)

    (delta, (m0, m1), labels0), ((b, mb), choices, labels) = run_threads(party, 2, timeout=60)
    assert np.array_equal(mb, np.where(b[:, None].astype(bool), m1, m0))
    differences = m0 ^ m1
    assert len(np.unique(differences[:4096], axis=0)) == 4096  # not a fixed offset
    limit = 6 * np.sqrt(n) / 2
    assert abs(int(b.sum()) - n / 2) < limit  # the receiver's random choice bits
    for array in (m0, m1, labels0):
        ones_per_bit = np.unpackbits(array, axis=1).sum(axis=0)
        assert np.all(np.abs(ones_per_bit - n / 2) < limit)
    assert np.array_equal(labels ^ labels0, choices[:, None] * delta[None, :])


@pytest.mark.parametrize("flavour,n", [("random-ot", 1 << 17), ("correlated-ot", 70000),
                                       ("chosen-ot", 1000), ("correlated-ot-z64", (1 << 16) + 5)])
def test_bytes_equal_the_spec_formula(flavour, n):
    length = 24

    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            sender = IknpSender(channel)
            sender.setup()
            before = channel.stats.protocol("iknp").bytes_sent
            if flavour == "random-ot":
                sender.random(n)
            elif flavour == "correlated-ot":
                sender.correlated(n)
            elif flavour == "chosen-ot":
                sender.chosen(np.zeros((n, length), np.uint8), np.ones((n, length), np.uint8))
            else:
                sender.correlated_z64(np.arange(n, dtype=np.uint64))
            return channel.stats.protocol("iknp").bytes_sent - before
        receiver = IknpReceiver(channel)
        choices = secure_bits(n, 5)
        if flavour == "random-ot":
            receiver.random(n)
        elif flavour == "correlated-ot":
            receiver.correlated(choices)
        elif flavour == "chosen-ot":
            receiver.chosen(choices, length)
        else:
            receiver.correlated_z64(choices)
        return channel.stats.protocol("iknp").bytes_sent

    sender_bytes, receiver_bytes = run_threads(party, 2, timeout=30)
    expected = iknp_bytes(flavour, n, length)
    assert (sender_bytes, receiver_bytes) == (expected["sender"], expected["receiver"])
    assert receiver_bytes >= 16 * n


def test_receiver_stopping_mid_extension_gives_peer_timeout():
    """The receiver sends one chunk of a two-chunk batch and stops; the sender must time out."""
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return IknpSender(channel, timeout=2.0).correlated(1 << 17)
        IknpReceiver(channel).correlated(secure_bits(1 << 16, 1))
        return None

    with pytest.raises(PeerTimeout):
        run_threads(party, 2, timeout=10)


def test_sender_stopping_before_its_masked_messages_gives_peer_timeout():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            sender = IknpSender(channel)
            sender.setup()
            channel.recv(TAG_U)  # takes the u matrix, then goes silent
            return None
        return IknpReceiver(channel, timeout=2.0).chosen(secure_bits(100, 2), 16)

    with pytest.raises(PeerTimeout):
        run_threads(party, 2, timeout=10)


def test_wrong_u_size_is_a_protocol_error():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return IknpSender(channel).correlated(256)
        receiver = IknpReceiver(channel)
        receiver.setup()
        channel.send(TAG_U, np.zeros(2048, np.uint8))  # one block where two are due
        return None

    with pytest.raises(ProtocolError):
        run_threads(party, 2, timeout=10)


def test_delta_is_used_as_given_and_checked():
    delta = bytes(range(1, 17))

    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return IknpSender(channel, delta=delta).correlated(512)
        choices = np.ones(512, np.uint8)
        return IknpReceiver(channel).correlated(choices)

    labels0, labels1 = run_threads(party, 2, timeout=10)
    assert np.all((labels0 ^ labels1) == np.frombuffer(delta, np.uint8))
    with pytest.raises(ValueError):
        IknpSender(None, delta=b"short")
