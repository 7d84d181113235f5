"""Hostile and vanishing peers of ECDH- and KKRT-PSI: every bad frame is a ProtocolError, silence
a PeerTimeout (specs: protocols/psi-ecdh.md and psi-kkrt.md, "Messages")."""
from __future__ import annotations

import time

import numpy as np
import pytest

import mpc.psi as psi
from mpc.errors import PeerTimeout, ProtocolError
from mpc.native import ecdh_psi
from mpc.psi.ecdh import messages as em
from mpc.psi.ids import PackedIds
from mpc.psi.protocols import agree
from mpc.transport import run_threads


def honest_and_raw(protocol, honest_role, ids, raw, timeout: float = 4):
    """Run the honest role as party 0 (server) or 1 (client) against `raw(channel)`."""
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        honest_me = 0 if honest_role == "server" else 1
        if endpoint.me == honest_me:
            play = psi.server if honest_role == "server" else psi.client
            return play(endpoint, ids, protocol=protocol)
        agree(channel, protocol)
        return raw(channel, endpoint)
    return run_threads(party, parties=2, timeout=timeout)


def test_ecdh_client_hello_of_the_wrong_size():
    def raw(channel, endpoint):
        channel.send(em.TAG_CLIENT_HELLO, b"\x00" * 15)
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="client-hello"):
        honest_and_raw("ecdh", "server", ["a"], raw)


def test_ecdh_server_hello_with_bad_fields():
    def raw(channel, endpoint):
        channel.recv_bytes(em.TAG_CLIENT_HELLO)
        channel.send(em.TAG_SERVER_HELLO, em.ServerHello("both", 1, 1, 0, bytes(32)).pack())  # batch 0
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="batch"):
        honest_and_raw("ecdh", "client", ["a"], raw)


def test_ecdh_invalid_blinded_point():
    def raw(channel, endpoint):
        channel.send(em.TAG_CLIENT_HELLO, em.ClientHello("both", 1, 2).pack())
        channel.recv_bytes(em.TAG_SERVER_HELLO)
        channel.send(em.TAG_BLINDED, np.zeros((2, 32), np.uint8))  # the identity
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="ristretto255"):
        honest_and_raw("ecdh", "server", ["a", "b"], raw)


def _serve(channel, endpoint, points: np.ndarray, report=None):
    """A raw server: hello, answers the client's batch with junk keys, then sends `points`."""
    hello = em.ClientHello.parse(channel.recv_bytes(em.TAG_CLIENT_HELLO))
    channel.send(em.TAG_SERVER_HELLO, em.ServerHello("both", 1, len(points), 16, bytes(32)).pack())
    for start in range(0, hello.rows, 16):
        stop = min(hello.rows, start + 16)
        channel.recv_bytes(em.TAG_BLINDED)
        channel.send(em.TAG_KEYS, np.zeros((stop - start, 16), np.uint8))
    for start in range(0, len(points), 16):
        stop = min(len(points), start + 16)
        channel.send(em.TAG_PROGRESS, (report or stop).to_bytes(8, "big"))
    channel.send(em.TAG_SERVER_COUNT, len(points).to_bytes(8, "big"))
    channel.send(em.TAG_SERVER_POINTS, points)
    time.sleep(0.5)


def _points(count):
    ids = PackedIds.from_values([f"p{i}" for i in range(count)])
    return ecdh_psi.hash_to_group(ids.data, ids.offsets, b"x")


def test_ecdh_unsorted_server_points():
    points = _points(5)
    order = np.argsort(points.view("S32").reshape(-1))[::-1]
    with pytest.raises(ProtocolError, match="sorted"):
        honest_and_raw("ecdh", "client", ["a"], lambda ch, ep: _serve(ch, ep, points[order].copy()))


def test_ecdh_invalid_server_point_and_bad_progress():
    points = np.sort(_points(3).view("S32").reshape(-1)).view(np.uint8).reshape(-1, 32).copy()
    bad = points.copy()
    bad[-1] = 0xff
    with pytest.raises(ProtocolError, match="ristretto255"):
        honest_and_raw("ecdh", "client", ["a"], lambda ch, ep: _serve(ch, ep, bad))
    with pytest.raises(ProtocolError, match="reports"):
        honest_and_raw("ecdh", "client", ["a"], lambda ch, ep: _serve(ch, ep, points, report=99))


def test_ecdh_matches_out_of_range():
    def raw(channel, endpoint):
        channel.send(em.TAG_CLIENT_HELLO, em.ClientHello("both", 1, 0).pack())
        channel.recv_bytes(em.TAG_SERVER_HELLO)
        channel.recv_bytes(em.TAG_PROGRESS)
        channel.recv_bytes(em.TAG_SERVER_COUNT)
        channel.recv_bytes(em.TAG_SERVER_POINTS)
        channel.send(em.TAG_MATCH_COUNT, (1).to_bytes(8, "big"))
        channel.send(em.TAG_MATCHES, np.array([7], ">u8"))
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="strictly increasing"):
        honest_and_raw("ecdh", "server", ["a", "b"], raw)


def test_ecdh_silent_client_is_a_timeout():
    def raw(channel, endpoint):
        channel.send(em.TAG_CLIENT_HELLO, em.ClientHello("both", 1, 100).pack())
        return "gone"
    started = time.monotonic()
    with pytest.raises(PeerTimeout, match="psi-ecdh:blinded"):
        honest_and_raw("ecdh", "server", ["a"], raw, timeout=1.5)
    assert time.monotonic() - started < 1.5 + 5


def test_malformed_protocol_announcement():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return psi.server(endpoint, ["a"], protocol="ecdh")
        channel.send("psi:protocol", b"\x02\x09ecdh")
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="announcement"):
        run_threads(party, parties=2, timeout=4)


# -- KKRT --------------------------------------------------------------------------------------

from mpc.psi.kkrt import messages as km  # noqa: E402
from mpc.psi.kkrt import params as kp  # noqa: E402


def test_kkrt_client_hello_with_bad_bins():
    def raw(channel, endpoint):
        channel.send(km.TAG_CLIENT_HELLO, km.ClientHello("both", 1, 1000, 100).pack())  # fewer bins than rows
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="cuckoo bins"):
        honest_and_raw("kkrt", "server", ["a"], raw)

    def huge(channel, endpoint):
        channel.send(km.TAG_CLIENT_HELLO, km.ClientHello("both", 1, 10, 1 << 31).pack())  # memory bomb
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="cuckoo bins"):
        honest_and_raw("kkrt", "server", ["a"], huge)


def test_kkrt_u_of_the_wrong_size():
    def raw(channel, endpoint):
        from mpc.ot.base import BaseOtSender
        channel.send(km.TAG_CLIENT_HELLO, km.ClientHello("both", 1, 10, kp.bin_count(10)).pack())
        channel.recv_bytes(km.TAG_SERVER_HELLO)
        BaseOtSender(channel).send(km.BASE_OTS)
        channel.send(km.TAG_U, np.zeros((kp.bin_count(10) - 128, 64), np.uint8))
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="psi-kkrt:u"):
        honest_and_raw("kkrt", "server", ["a", "b"], raw)


def test_kkrt_server_count_and_values_checked():
    def serve(count_extra, width_delta):
        def raw(channel, endpoint):
            from mpc.ot.base import BaseOtReceiver
            hello = km.ClientHello.parse(channel.recv_bytes(km.TAG_CLIENT_HELLO))
            channel.send(km.TAG_SERVER_HELLO, km.ServerHello("both", 1, 3, bytes(32)).pack())
            BaseOtReceiver(channel).receive(np.zeros(km.BASE_OTS, np.uint8))
            for _ in range(0, hello.bins, km.ROWS_PER_MESSAGE):
                channel.recv_bytes(km.TAG_U)
            channel.send(km.TAG_SERVER_COUNT, (3 + count_extra).to_bytes(8, "big"))
            width = kp.value_bytes(hello.rows, 3) + width_delta
            channel.send(km.TAG_VALUES, np.zeros((3, 3, width), np.uint8))
            time.sleep(0.5)
        return raw
    with pytest.raises(ProtocolError, match="distinct"):
        honest_and_raw("kkrt", "client", ["a", "b"], serve(1, 0))
    with pytest.raises(ProtocolError, match="psi-kkrt:values"):
        honest_and_raw("kkrt", "client", ["a", "b"], serve(0, 1))


def test_kkrt_silent_client_is_a_timeout():
    def raw(channel, endpoint):
        channel.send(km.TAG_CLIENT_HELLO, km.ClientHello("both", 1, 10, kp.bin_count(10)).pack())
        return "gone"
    with pytest.raises(PeerTimeout, match="ot-base"):
        honest_and_raw("kkrt", "server", ["a"], raw, timeout=1.5)


def test_kkrt_matches_not_increasing():
    def raw(channel, endpoint):
        channel.send(km.TAG_CLIENT_HELLO, km.ClientHello("both", 1, 0, 0).pack())
        channel.recv_bytes(km.TAG_SERVER_HELLO)
        channel.recv_bytes(km.TAG_SERVER_COUNT)
        channel.send(km.TAG_MATCH_COUNT, (2).to_bytes(8, "big"))
        channel.send(km.TAG_MATCHES, np.array([1, 1], ">u8"))
        time.sleep(0.5)
    with pytest.raises(ProtocolError, match="strictly increasing"):
        honest_and_raw("kkrt", "server", ["a", "b", "c"], raw)
